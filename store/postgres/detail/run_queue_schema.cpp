// SPDX-License-Identifier: MIT
// The run queue's migrations (run_queue_schema.hpp). Append-only: a change is a new version.

#include "store/postgres/detail/run_queue_schema.hpp"

#include <array>

namespace weft::store::postgres::detail {
namespace {

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

// The attempt cap: a run whose workers keep dying (a poison run) is claimed at most max_attempts
// times. Claims handed back on purpose (released at SIGTERM, postponed for a busy thread) are
// counted apart in handed_back and do not count against it. Existing runs get max_failures + 3.
constexpr const char* kVersion2 = R"sql(
ALTER TABLE weft_runs ADD COLUMN max_attempts integer NOT NULL DEFAULT 6 CHECK (max_attempts >= 1);
ALTER TABLE weft_runs ADD COLUMN handed_back integer NOT NULL DEFAULT 0;
UPDATE weft_runs SET max_attempts = max_failures + 3;
)sql";

constexpr std::array<Migration, 2> kMigrations{
    {{1, "run queue: weft_runs", kVersion1}, {2, "run queue: max_attempts, handed_back", kVersion2}}};
constexpr SchemaComponent kQueue{"queue", kMigrations};

}  // namespace

const SchemaComponent& run_queue_schema() { return kQueue; }

}  // namespace weft::store::postgres::detail
