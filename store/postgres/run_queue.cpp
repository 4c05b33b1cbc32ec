// SPDX-License-Identifier: MIT
// PostgresRunQueue (store/postgres_run_queue.hpp): each operation is one SQL statement, so each
// is atomic without an explicit transaction, and a NOTIFY issued inside it is delivered exactly
// when it commits.

#include "store/postgres_run_queue.hpp"

#include "store/error.hpp"
#include "store/postgres/detail/connection.hpp"
#include "store/postgres/detail/notifications.hpp"
#include "store/postgres/detail/run_queue_schema.hpp"

#include <string>

namespace weft {

using store::postgres::detail::Connection;
using store::postgres::detail::Params;
using store::postgres::detail::Result;

namespace {

constexpr const char* kChannel = "weft_runs";

// The columns every query returns, in QueuedRun's order (times as milliseconds since the epoch).
constexpr const char* kColumns =
    "run_id, graph, thread_id, input, priority, status, attempts, failures, max_failures, error, worker, epoch, "
    "(extract(epoch from created_at) * 1000)::bigint, (extract(epoch from updated_at) * 1000)::bigint, max_attempts, "
    "handed_back";

QueuedRun to_run(const Result& rows, int row) {
  auto text = [&](int column) {
    return rows.is_null(row, column) ? std::string() : std::string(rows.text(row, column));
  };
  QueuedRun r;
  r.run_id = text(0);
  r.graph = text(1);
  r.thread_id = text(2);
  r.input = text(3);
  r.priority = static_cast<int>(rows.int64(row, 4));
  r.status = run_queue_status_from(text(5)).value_or(RunQueueStatus::failed);
  r.attempts = static_cast<int>(rows.int64(row, 6));
  r.failures = static_cast<int>(rows.int64(row, 7));
  r.max_failures = static_cast<int>(rows.int64(row, 8));
  r.error = text(9);
  r.worker = text(10);
  r.epoch = rows.int64(row, 11);
  r.created_at_ms = rows.int64(row, 12);
  r.updated_at_ms = rows.int64(row, 13);
  r.max_attempts = static_cast<int>(rows.int64(row, 14));
  r.handed_back = static_cast<int>(rows.int64(row, 15));
  return r;
}

std::string millis(std::chrono::milliseconds d) { return std::to_string(d.count()); }

// The error kept on a run that used its max_attempts (columns of weft_runs r, before the update).
constexpr const char* kSpentError =
    "format('claimed %s times without finishing (max_attempts %s); each worker stopped before finishing: "
    "%s stopped without reporting (killed, crashed or cut off: does this run bring its worker down?), "
    "%s failed%s; last worker %s', r.attempts - r.handed_back, r.max_attempts,"
    " r.attempts - r.handed_back - r.failures, r.failures,"
    " CASE WHEN r.failures > 0 THEN format(' (last error: %s)', r.error) ELSE '' END, r.worker)";

// "now() + PARAM milliseconds", PARAM being a statement parameter such as "$2".
std::string after(const std::string& param) {
  return "now() + make_interval(secs => " + param + "::double precision / 1000)";
}

}  // namespace

std::string_view to_string(RunQueueStatus status) noexcept {
  switch (status) {
    case RunQueueStatus::pending: return "pending";
    case RunQueueStatus::running: return "running";
    case RunQueueStatus::done: return "done";
    case RunQueueStatus::failed: return "failed";
    case RunQueueStatus::cancelled: return "cancelled";
  }
  return "failed";
}

std::optional<RunQueueStatus> run_queue_status_from(std::string_view text) noexcept {
  for (auto s : {RunQueueStatus::pending, RunQueueStatus::running, RunQueueStatus::done, RunQueueStatus::failed,
                 RunQueueStatus::cancelled}) {
    if (to_string(s) == text) return s;
  }
  return std::nullopt;
}

PostgresRunQueue::PostgresRunQueue(const std::string& url) : connection_(std::make_unique<Connection>(url)) {
  ensure_component(*connection_, store::postgres::detail::run_queue_schema());
}

PostgresRunQueue::~PostgresRunQueue() = default;

const std::string& PostgresRunQueue::redacted_url() const noexcept { return connection_->redacted_url(); }

std::string PostgresRunQueue::submit(const RunSubmission& run) {
  const int max_attempts = run.max_attempts > 0 ? run.max_attempts : run.max_failures + 3;
  const std::string sql =
      std::string(
          "WITH added AS (INSERT INTO weft_runs (run_id, thread_id, graph, input, priority, max_failures, "
          "max_attempts) VALUES ('run-' || gen_random_uuid(), $1, $2, $3, $4::integer, $5::integer, $6::integer) "
          "RETURNING run_id) "
          "SELECT run_id, pg_notify('") +
      kChannel + "', run_id) FROM added";
  try {
    Result rows = connection_->exec(sql, Params()
                                             .add(run.thread_id)
                                             .add(run.graph)
                                             .add(run.input)
                                             .add(std::int64_t{run.priority})
                                             .add(std::int64_t{run.max_failures})
                                             .add(std::int64_t{max_attempts}));
    return std::string(rows.text(0, 0));
  } catch (const Error& e) {
    // The unique index weft_runs_one_active_per_thread: the thread has a pending or running run.
    if (std::string_view(e.what()).find("SQLSTATE 23505") == std::string_view::npos) throw;
    throw Error(store::error::thread_busy, "thread '" + run.thread_id +
                                               "' already has a pending or running run; wait for it ('weft runs') "
                                               "or choose another --thread");
  }
}

std::optional<QueuedRun> PostgresRunQueue::claim(const std::string& worker, std::chrono::milliseconds lease) {
  // Pending runs first (the partial index hands them in priority order), then runs whose worker
  // stopped renewing. SKIP LOCKED: a row another claimer is updating right now is not waited for.
  // A run that used its max_attempts is set failed in the same statement (its epoch bumped, so a
  // worker still holding it is fenced) and the next one is looked for. Spent runs whose worker
  // stopped are failed first, so a poison run does not sit "running" behind a queue of pending
  // work until that queue drains.
  connection_->exec(std::string("WITH spent AS (SELECT run_id FROM weft_runs WHERE status = 'running'"
                                " AND lease_expires_at < now() AND attempts - handed_back >= max_attempts"
                                " FOR UPDATE SKIP LOCKED) "
                                "UPDATE weft_runs r SET status = 'failed', epoch = r.epoch + 1, error = ") +
                    kSpentError +
                    ", lease_expires_at = NULL, updated_at = now() FROM spent WHERE r.run_id = spent.run_id");
  static const char* const kWhere[] = {"status = 'pending' AND not_before <= now() ORDER BY priority DESC, seq",
                                       "status = 'running' AND lease_expires_at < now() ORDER BY lease_expires_at"};
  for (const char* where : kWhere) {
    const std::string sql =
        std::string(
            "WITH next AS (SELECT run_id AS next_id, attempts - handed_back >= max_attempts AS spent"
            " FROM weft_runs WHERE ") +
        where +
        " LIMIT 1 FOR UPDATE SKIP LOCKED) "
        "UPDATE weft_runs r SET status = CASE WHEN next.spent THEN 'failed' ELSE 'running' END,"
        " attempts = r.attempts + CASE WHEN next.spent THEN 0 ELSE 1 END, epoch = r.epoch + 1,"
        " worker = CASE WHEN next.spent THEN r.worker ELSE $1 END,"
        " error = CASE WHEN next.spent THEN " +
        kSpentError +
        " ELSE r.error END,"
        " lease_expires_at = CASE WHEN next.spent THEN NULL ELSE " +
        after("$2") + " END, updated_at = now() FROM next WHERE r.run_id = next.next_id RETURNING " + kColumns;
    for (;;) {
      Result rows = connection_->exec(sql, Params().add(worker).add(millis(lease)));
      if (rows.rows() == 0) break;
      QueuedRun run = to_run(rows, 0);
      if (run.status == RunQueueStatus::running) return run;
    }
  }
  return std::nullopt;
}

bool PostgresRunQueue::renew(const std::string& run_id, std::int64_t epoch, std::chrono::milliseconds lease) {
  const std::string sql = "UPDATE weft_runs SET lease_expires_at = " + after("$3") +
                          ", updated_at = now() WHERE run_id = $1 AND epoch = $2::bigint AND status = 'running'";
  return connection_->exec(sql, Params().add(run_id).add(epoch).add(millis(lease))).affected() == 1;
}

bool PostgresRunQueue::finish(const std::string& run_id, std::int64_t epoch, const AttemptOutcome& outcome) {
  Params params;
  params.add(run_id).add(epoch);
  auto param = [&params](const std::string& value) {
    params.add(value);
    return "$" + std::to_string(params.size());
  };
  std::string set;
  switch (outcome.kind) {
    case AttemptOutcome::Kind::done: set = "status = 'done', error = NULL"; break;
    case AttemptOutcome::Kind::failed: {
      const std::string error = param(outcome.error);
      set = "failures = failures + 1, error = " + error +
            "::text, not_before = " + after(param(millis(outcome.delay))) +
            ", status = CASE WHEN failures + 1 >= max_failures THEN 'failed' ELSE 'pending' END";
      break;
    }
    case AttemptOutcome::Kind::released:
      set = "status = 'pending', handed_back = handed_back + 1, not_before = now()";
      break;
    case AttemptOutcome::Kind::postponed:
      set = "status = 'pending', handed_back = handed_back + 1, not_before = " + after(param(millis(outcome.delay)));
      break;
  }
  // Only the claim (run_id, epoch) may end its attempt; a run that is pending again wakes the
  // idle workers when this statement commits.
  const std::string sql = "WITH ended AS (UPDATE weft_runs SET " + set +
                          ", lease_expires_at = NULL, updated_at = now() WHERE run_id = $1 AND epoch = $2::bigint "
                          "AND status = 'running' RETURNING run_id, status) SELECT run_id, CASE WHEN status = "
                          "'pending' THEN pg_notify('" +
                          kChannel + "', run_id) END FROM ended";
  return connection_->exec(sql, params).rows() == 1;
}

bool PostgresRunQueue::cancel(const std::string& run_id) {
  return connection_
             ->exec(
                 "UPDATE weft_runs SET status = 'cancelled', lease_expires_at = NULL, updated_at = now() "
                 "WHERE run_id = $1 AND status IN ('pending', 'running')",
                 Params().add(run_id))
             .affected() == 1;
}

bool PostgresRunQueue::wait_for_work(std::chrono::milliseconds timeout) {
  if (!listening_) {
    connection_->exec(std::string("LISTEN ") + kChannel);
    listening_ = true;
  }
  return store::postgres::detail::wait_for_notification(*connection_, timeout);
}

std::optional<QueuedRun> PostgresRunQueue::run(const std::string& run_id) {
  Result rows =
      connection_->exec(std::string("SELECT ") + kColumns + " FROM weft_runs WHERE run_id = $1", Params().add(run_id));
  if (rows.rows() == 0) return std::nullopt;
  return to_run(rows, 0);
}

std::vector<QueuedRun> PostgresRunQueue::runs(std::optional<RunQueueStatus> status, std::size_t limit) {
  const std::string head = std::string("SELECT ") + kColumns + " FROM weft_runs";
  const auto count = static_cast<std::int64_t>(limit);
  Result rows = status ? connection_->exec(head + " WHERE status = $1 ORDER BY seq DESC LIMIT $2::bigint",
                                           Params().add(to_string(*status)).add(count))
                       : connection_->exec(head + " ORDER BY seq DESC LIMIT $1::bigint", Params().add(count));
  std::vector<QueuedRun> out;
  out.reserve(static_cast<std::size_t>(rows.rows()));
  for (int i = 0; i < rows.rows(); ++i) out.push_back(to_run(rows, i));
  return out;
}

}  // namespace weft
