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

namespace store::postgres::detail {
class Connection;
}

/// One connection to the database holding the queue. Opening creates (migrates) the queue's
/// schema component "queue" (store/postgres/detail/schema.hpp) when absent. Thread safety: none;
/// one object per thread (a worker opens one per slot). Throws weft::Error: open_failed
/// (unreachable server, refused password, unknown database: the message shows the URL with its
/// password redacted), not_a_weft_store (another application's database), schema_too_new (a
/// newer Weft's queue), thread_busy (submit), postgres (any other failure, with SQLSTATE).
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
  std::unique_ptr<store::postgres::detail::Connection> connection_;
  bool listening_ = false;
};

}  // namespace weft
