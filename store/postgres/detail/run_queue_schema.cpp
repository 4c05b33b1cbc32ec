// SPDX-License-Identifier: MIT
// The run queue's migrations: version 1 creates weft_runs (store/run_queue_format.md).

#include "store/postgres/detail/run_queue_schema.hpp"

#include "store/error.hpp"

#include <string>

namespace weft::store::detail {
namespace {

// Any constant works: it only has to differ from other applications' advisory locks.
constexpr const char* kMigrationLock = "SELECT pg_advisory_xact_lock(7140142001)";

constexpr const char* kVersion1 = R"sql(
CREATE TABLE weft_runs (
  run_id           text PRIMARY KEY,
  seq              bigserial NOT NULL,
  thread_id        text NOT NULL,
  graph            text NOT NULL,
  input            text NOT NULL,
  priority         integer NOT NULL DEFAULT 0,
  status           text NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'running', 'done', 'failed', 'cancelled')),
  attempts         integer NOT NULL DEFAULT 0,
  failures         integer NOT NULL DEFAULT 0,
  max_failures     integer NOT NULL DEFAULT 3 CHECK (max_failures >= 1),
  error            text,
  worker           text,
  epoch            bigint NOT NULL DEFAULT 0,
  not_before       timestamptz NOT NULL DEFAULT now(),
  lease_expires_at timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX weft_runs_pending ON weft_runs (priority DESC, seq) WHERE status = 'pending';
CREATE INDEX weft_runs_leases ON weft_runs (lease_expires_at) WHERE status = 'running';
CREATE INDEX weft_runs_newest ON weft_runs (seq DESC);
CREATE UNIQUE INDEX weft_runs_one_active_per_thread ON weft_runs (thread_id) WHERE status IN ('pending', 'running');
)sql";

int stored_version(PgSession& session) {
  auto exists = session.exec("SELECT to_regclass('weft_queue_schema') IS NOT NULL");
  if (exists.at(0).at(0).value_or("f") != "t") return 0;
  auto rows = session.exec("SELECT max(version) FROM weft_queue_schema");
  return rows.empty() || !rows[0][0] ? 0 : std::stoi(*rows[0][0]);
}

}  // namespace

void migrate_run_queue(PgSession& session) {
  session.exec("BEGIN");
  try {
    session.exec(kMigrationLock);
    const int version = stored_version(session);
    if (version > kRunQueueSchemaVersion) {
      throw Error(error::schema_too_new, "the run queue in " + session.redacted_url() + " has schema version " +
                                             std::to_string(version) + "; this weft knows up to " +
                                             std::to_string(kRunQueueSchemaVersion) + ": upgrade weft");
    }
    if (version < 1) {
      session.exec("CREATE TABLE weft_queue_schema (version integer NOT NULL)");
      session.exec(kVersion1);
      session.exec("INSERT INTO weft_queue_schema (version) VALUES (1)");
    }
    session.exec("COMMIT");
  } catch (...) {
    try {
      session.exec("ROLLBACK");
    } catch (...) {
      // the connection broke: the server rolled back already
    }
    throw;
  }
}

}  // namespace weft::store::detail
