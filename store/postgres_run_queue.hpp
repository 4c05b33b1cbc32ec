// SPDX-License-Identifier: MIT
#pragma once
// PostgresRunQueue: the RunQueue (store/run_queue.hpp) as rows of the table weft_runs in a
// PostgreSQL database. Claims use `FOR UPDATE SKIP LOCKED`, so concurrent workers never wait on
// each other nor get the same run; submits and releases `NOTIFY weft_runs` in their transaction,
// so idle workers (`LISTEN weft_runs`) wake as soon as a run commits. Leases are timed by the
// database's clock (now()), never the workers', so clock skew between machines cannot hand one
// run to two workers. The table and its indexes are described in store/run_queue_format.md.

#include "store/run_queue.hpp"

#include <memory>
#include <string>

namespace weft {

namespace store::detail {
class PgSession;
}

/// One connection to the database holding the queue. Opening creates (migrates) the queue's
/// tables when absent. Thread safety: none; one object per thread (a worker opens one per slot).
/// Throws weft::Error: open_failed (unreachable server, bad credentials: the message names the
/// URL with its password redacted), schema_too_new (a newer Weft's queue), sqlite... never: query
/// failures are store::error::write_failed with PostgreSQL's message.
class PostgresRunQueue final : public RunQueue {
 public:
  explicit PostgresRunQueue(const std::string& url);
  ~PostgresRunQueue() override;
  PostgresRunQueue(const PostgresRunQueue&) = delete;
  PostgresRunQueue& operator=(const PostgresRunQueue&) = delete;

  std::string submit(const RunSubmission& run) override;
  std::optional<QueuedRun> claim(const std::string& worker, std::chrono::milliseconds lease) override;
  bool renew(const std::string& run_id, std::int64_t epoch, std::chrono::milliseconds lease) override;
  bool finish(const std::string& run_id, std::int64_t epoch, const AttemptOutcome& outcome) override;
  bool cancel(const std::string& run_id) override;
  bool wait_for_work(std::chrono::milliseconds timeout) override;
  std::optional<QueuedRun> run(const std::string& run_id) override;
  std::vector<QueuedRun> runs(std::optional<RunQueueStatus> status, std::size_t limit) override;

  /// The URL with its password replaced by "***" (for messages and logs).
  const std::string& redacted_url() const noexcept;

 private:
  std::unique_ptr<store::detail::PgSession> session_;
  bool listening_ = false;
};

/// Whether `text` names a PostgreSQL database ("postgresql://..." or "postgres://...").
bool is_postgres_url(std::string_view text) noexcept;

/// `url` with the password (user:PASSWORD@, ?password=...) replaced by "***".
std::string redact_postgres_url(std::string_view url);

}  // namespace weft
