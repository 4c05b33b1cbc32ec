// SPDX-License-Identifier: MIT
// The PostgreSQL schema of a Weft database and its migration runner (schema.hpp).
#include "store/postgres/detail/schema.hpp"

#include "store/error.hpp"

namespace weft::store::postgres::detail {
namespace {

// Append-only (see Migration). Texts compare bytewise (COLLATE "C") so that ids and namespace
// paths sort as in SQLite whatever the database's locale.
constexpr Migration kStoreMigrations[] = {
    {1, "threads, checkpoints (deltas + snapshots), writes, fenced leases, effects, node cache, memory items",
     R"sql(
CREATE TABLE weft_threads (
  thread_id     TEXT COLLATE "C" PRIMARY KEY,
  status        TEXT NOT NULL,
  graph         TEXT NOT NULL DEFAULT '',
  created_at_ms BIGINT NOT NULL,
  updated_at_ms BIGINT NOT NULL,
  metadata      TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE weft_checkpoints (
  thread_id     TEXT COLLATE "C" NOT NULL,
  ns            TEXT COLLATE "C" NOT NULL,
  checkpoint_id TEXT COLLATE "C" NOT NULL,
  parent_id     TEXT COLLATE "C" NOT NULL,
  step          BIGINT NOT NULL,
  source        TEXT NOT NULL,
  created_at_ms BIGINT NOT NULL,
  metadata      TEXT NOT NULL,
  next          TEXT NOT NULL,
  deltas        TEXT NOT NULL,
  snapshot      TEXT,
  chain_len     BIGINT NOT NULL,
  chain_bytes   BIGINT NOT NULL,
  base_bytes    BIGINT NOT NULL,
  PRIMARY KEY (thread_id, ns, checkpoint_id)
);
CREATE TABLE weft_writes (
  thread_id     TEXT COLLATE "C" NOT NULL,
  ns            TEXT COLLATE "C" NOT NULL,
  checkpoint_id TEXT COLLATE "C" NOT NULL,
  task_id       TEXT COLLATE "C" NOT NULL,
  task_name     TEXT NOT NULL,
  writes        TEXT NOT NULL,
  keep          BOOLEAN NOT NULL,
  created_at_ms BIGINT NOT NULL,
  PRIMARY KEY (thread_id, ns, checkpoint_id, task_id)
);
CREATE TABLE weft_leases (
  thread_id       TEXT COLLATE "C" PRIMARY KEY,
  epoch           BIGINT NOT NULL,
  owner_token     TEXT NOT NULL,
  owner_pid       BIGINT NOT NULL,
  owner_host      TEXT NOT NULL,
  owner_start     TEXT NOT NULL,
  acquired_at_ms  BIGINT NOT NULL,
  heartbeat_at_ms BIGINT NOT NULL,
  expires_at_ms   BIGINT NOT NULL
);
CREATE TABLE weft_effects (
  thread_id      TEXT COLLATE "C" NOT NULL,
  key            TEXT COLLATE "C" NOT NULL,
  state          TEXT NOT NULL CHECK (state IN ('started', 'done')),
  result         TEXT,
  started_at_ms  BIGINT NOT NULL,
  finished_at_ms BIGINT,
  request_digest TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (thread_id, key)
);
CREATE TABLE weft_node_cache (
  node          TEXT COLLATE "C" NOT NULL,
  key           TEXT COLLATE "C" NOT NULL,
  value         TEXT NOT NULL,
  expires_at_ms BIGINT NOT NULL,
  created_at_ms BIGINT NOT NULL,
  PRIMARY KEY (node, key)
);
CREATE TABLE weft_memory_items (
  ns_path       TEXT COLLATE "C" NOT NULL,
  key           TEXT COLLATE "C" NOT NULL,
  value         TEXT NOT NULL,
  created_at_ms BIGINT NOT NULL,
  updated_at_ms BIGINT NOT NULL,
  expires_at_ms BIGINT,
  PRIMARY KEY (ns_path, key)
);
)sql"},
};

constexpr SchemaComponent kStoreSchema{"store", kStoreMigrations};

// Every process migrating takes this lock first (held until its transaction ends).
constexpr const char* kMigrationLock = "SELECT pg_advisory_xact_lock(6235429010934556500)";

/// (has weft_schema, has any table) in the current schema, read in one snapshot: a process
/// migrating at the same moment is seen either not yet or entirely.
std::pair<bool, bool> inspect_tables(Connection& c) {
  Result r = c.exec(
      "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = current_schema()"
      "   AND tablename = 'weft_schema'),"
      " EXISTS (SELECT 1 FROM pg_catalog.pg_class k JOIN pg_catalog.pg_namespace n ON n.oid = k.relnamespace"
      "   WHERE n.nspname = current_schema() AND k.relkind IN ('r', 'v', 'm', 'p'))");
  return {r.text(0, 0) == "t", r.text(0, 1) == "t"};
}

int applied_version(Connection& c, std::string_view component) {
  Result r = c.exec("SELECT coalesce(max(version), 0) FROM weft_schema WHERE component = $1", Params().add(component));
  return static_cast<int>(r.int64(0, 0));
}

void check_version(Connection& c, const SchemaComponent& component, int version) {
  if (version > component.version()) {
    throw Error(error::schema_too_new, "the Weft database at " + c.redacted_url() + " has " +
                                           std::string(component.name) + " schema version " + std::to_string(version) +
                                           " but this Weft understands versions up to " +
                                           std::to_string(component.version()) + "; use a newer Weft");
  }
}

[[noreturn]] void throw_foreign(Connection& c) {
  throw Error(error::not_a_weft_store, "the PostgreSQL database at " + c.redacted_url() +
                                           " holds another application's tables (it has no weft_schema table); "
                                           "give Weft a database of its own");
}

}  // namespace

const SchemaComponent& store_schema() { return kStoreSchema; }

int read_component_version(Connection& c, std::string_view component) {
  auto [has_schema_table, has_any_table] = inspect_tables(c);
  if (!has_schema_table) {
    if (has_any_table) throw_foreign(c);
    return 0;
  }
  return applied_version(c, component);
}

void ensure_component(Connection& c, const SchemaComponent& component, bool read_only) {
  int version = read_component_version(c, component.name);
  check_version(c, component, version);
  if (version == component.version()) return;
  if (read_only) {
    throw Error(error::open_failed, "the Weft database at " + c.redacted_url() + " has " + std::string(component.name) +
                                        " schema version " + std::to_string(version) + " and needs migrating to " +
                                        std::to_string(component.version()) +
                                        ", which a read-only open cannot do; open it once read-write");
  }
  c.exec("BEGIN");
  try {
    c.exec(kMigrationLock);
    // Re-read under the lock: another process may have migrated (or created the schema) meanwhile.
    version = read_component_version(c, component.name);
    check_version(c, component, version);
    c.exec(
        "CREATE TABLE IF NOT EXISTS weft_schema (component TEXT NOT NULL, version INTEGER NOT NULL, "
        "applied_at_ms BIGINT NOT NULL, description TEXT NOT NULL, PRIMARY KEY (component, version))");
    for (const Migration& m : component.migrations) {
      if (m.version <= version) continue;
      c.exec_script(m.sql);
      c.exec(
          "INSERT INTO weft_schema (component, version, applied_at_ms, description) "
          "VALUES ($1, $2, (extract(epoch FROM clock_timestamp()) * 1000)::bigint, $3)",
          Params().add(component.name).add(static_cast<std::int64_t>(m.version)).add(m.description));
    }
    c.exec("COMMIT");
  } catch (...) {
    try {
      c.exec("ROLLBACK");
    } catch (...) {}
    throw;
  }
}

}  // namespace weft::store::postgres::detail
