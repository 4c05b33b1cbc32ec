// SPDX-License-Identifier: MIT
#include "store/detail/schema.hpp"

#include <string_view>

namespace weft::store::detail {
namespace {

struct Migration {
  int version;
  std::string_view description;
  const char* sql;
};

// Append-only: a released migration is never edited; a change is a new entry with version + 1.
constexpr Migration kMigrations[] = {
    {1, "initial schema: threads, checkpoints (deltas + snapshots), writes, leases, effects",
     R"sql(
CREATE TABLE IF NOT EXISTS threads (
  thread_id     TEXT PRIMARY KEY,
  status        TEXT NOT NULL,
  graph         TEXT NOT NULL DEFAULT '',
  created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL,
  metadata      TEXT NOT NULL DEFAULT '{}'
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS checkpoints (
  thread_id     TEXT NOT NULL,
  ns            TEXT NOT NULL,
  checkpoint_id TEXT NOT NULL,
  parent_id     TEXT NOT NULL,
  step          INTEGER NOT NULL,
  source        TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  metadata      TEXT NOT NULL,
  next          TEXT NOT NULL,
  deltas        TEXT NOT NULL,
  snapshot      TEXT,
  chain_len     INTEGER NOT NULL,
  chain_bytes   INTEGER NOT NULL,
  base_bytes    INTEGER NOT NULL,
  PRIMARY KEY (thread_id, ns, checkpoint_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS writes (
  thread_id     TEXT NOT NULL,
  ns            TEXT NOT NULL,
  checkpoint_id TEXT NOT NULL,
  task_id       TEXT NOT NULL,
  task_name     TEXT NOT NULL,
  writes        TEXT NOT NULL,
  keep          INTEGER NOT NULL,
  created_at_ms INTEGER NOT NULL,
  PRIMARY KEY (thread_id, ns, checkpoint_id, task_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS leases (
  thread_id       TEXT PRIMARY KEY,
  owner_pid       INTEGER NOT NULL,
  owner_host      TEXT NOT NULL,
  owner_start     TEXT NOT NULL,
  owner_token     TEXT NOT NULL,
  acquired_at_ms  INTEGER NOT NULL,
  heartbeat_at_ms INTEGER NOT NULL,
  expires_at_ms   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS effects (
  thread_id      TEXT NOT NULL,
  key            TEXT NOT NULL,
  state          TEXT NOT NULL CHECK (state IN ('started', 'done')),
  result         TEXT,
  started_at_ms  INTEGER NOT NULL,
  finished_at_ms INTEGER,
  PRIMARY KEY (thread_id, key)
) WITHOUT ROWID;
)sql"},
    {2, "node cache: recorded node results by (node, input key), with expiry",
     R"sql(
CREATE TABLE IF NOT EXISTS node_cache (
  node          TEXT NOT NULL,
  key           TEXT NOT NULL,
  value         TEXT NOT NULL,
  expires_at_ms INTEGER NOT NULL,
  created_at_ms INTEGER NOT NULL,
  PRIMARY KEY (node, key)
) WITHOUT ROWID;
)sql"},
    {3, "effects.request_digest: a journal entry is replayed only for the request it was recorded for",
     R"sql(
ALTER TABLE effects ADD COLUMN request_digest TEXT NOT NULL DEFAULT '';
)sql"},
};

}  // namespace

int read_schema_version(Db& db) {
  // Both facts from one statement, hence one snapshot: a process creating the schema at this
  // moment is seen either not yet (an empty file: version 0) or entirely, never as tables
  // without weft_schema (which would read as another application's database).
  Use inspect(
      db.stmt("SELECT (SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'weft_schema'), "
              "(SELECT count(*) FROM sqlite_master)"));
  inspect->executeStep();
  const bool has_schema_table = inspect->getColumn(0).getInt64() > 0;
  const bool empty = inspect->getColumn(1).getInt64() == 0;
  if (!has_schema_table) return empty ? 0 : -1;
  // Still in inspect's snapshot (its statement is reset only at the end of this scope).
  Use q(db.stmt("SELECT coalesce(max(version), 0) FROM weft_schema"));
  q->executeStep();
  return static_cast<int>(q->getColumn(0).getInt64());
}

void ensure_schema(Db& db, const std::string& path, bool read_only) {
  auto check = [&](int version) {
    if (version < 0) {
      throw Error(error::not_a_weft_store, "'" + path +
                                               "' is an SQLite database but not a Weft store (it has no weft_schema "
                                               "table); check the path");
    }
    if (version > kSchemaVersion) {
      throw Error(error::schema_too_new, "'" + path + "' has schema version " + std::to_string(version) +
                                             " but this Weft understands versions up to " +
                                             std::to_string(kSchemaVersion) + "; use a newer Weft");
    }
  };
  int version = read_schema_version(db);
  check(version);
  if (version == kSchemaVersion) return;
  if (read_only) {
    throw Error(error::open_failed, "'" + path + "' has schema version " + std::to_string(version) +
                                        " and needs migrating to " + std::to_string(kSchemaVersion) +
                                        ", which a read-only open cannot do; open it once read-write");
  }
  WriteTxn txn(db);
  version = read_schema_version(db);  // another process may have migrated while we waited
  check(version);
  if (version == 0) db.exec(("PRAGMA application_id = " + std::to_string(kApplicationId)).c_str());
  db.exec(
      "CREATE TABLE IF NOT EXISTS weft_schema (version INTEGER PRIMARY KEY, applied_at_ms INTEGER NOT NULL, "
      "description TEXT NOT NULL)");
  for (const Migration& m : kMigrations) {
    if (m.version <= version) continue;
    db.exec(m.sql);
    SQLite::Statement record(db.raw(),
                             "INSERT INTO weft_schema (version, applied_at_ms, description) VALUES (?1, ?2, ?3)");
    record.bind(1, m.version);
    record.bind(2, static_cast<std::int64_t>(now_ms()));
    record.bind(3, std::string(m.description));
    record.exec();
  }
  txn.commit();
}

}  // namespace weft::store::detail
