// SPDX-License-Identifier: MIT
// PostgresRunQueue (store/postgres_run_queue.hpp): each operation is one SQL statement, so each
// is atomic without an explicit transaction, and a NOTIFY issued inside it is delivered exactly
// when it commits.

#include "store/postgres_run_queue.hpp"

#include "store/error.hpp"
#include "store/postgres/detail/pg_session.hpp"
#include "store/postgres/detail/run_queue_schema.hpp"

#include <string>

namespace weft {

using store::detail::PgRow;

namespace {

constexpr const char* kChannel = "weft_runs";

// The columns every query returns, in QueuedRun's order (times as milliseconds since the epoch).
constexpr const char* kColumns =
    "run_id, graph, thread_id, input, priority, status, attempts, failures, max_failures, error, worker, epoch, "
    "(extract(epoch from created_at) * 1000)::bigint, (extract(epoch from updated_at) * 1000)::bigint";

std::string text(const std::optional<std::string>& v) { return v.value_or(""); }

QueuedRun to_run(const PgRow& row) {
  QueuedRun r;
  r.run_id = text(row.at(0));
  r.graph = text(row.at(1));
  r.thread_id = text(row.at(2));
  r.input = text(row.at(3));
  r.priority = std::stoi(text(row.at(4)));
  r.status = run_queue_status_from(text(row.at(5))).value_or(RunQueueStatus::failed);
  r.attempts = std::stoi(text(row.at(6)));
  r.failures = std::stoi(text(row.at(7)));
  r.max_failures = std::stoi(text(row.at(8)));
  r.error = text(row.at(9));
  r.worker = text(row.at(10));
  r.epoch = std::stoll(text(row.at(11)));
  r.created_at_ms = std::stoll(text(row.at(12)));
  r.updated_at_ms = std::stoll(text(row.at(13)));
  return r;
}

std::string millis(std::chrono::milliseconds d) { return std::to_string(d.count()); }

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

PostgresRunQueue::PostgresRunQueue(const std::string& url) : session_(std::make_unique<store::detail::PgSession>(url)) {
  store::detail::migrate_run_queue(*session_);
}

PostgresRunQueue::~PostgresRunQueue() = default;

const std::string& PostgresRunQueue::redacted_url() const noexcept { return session_->redacted_url(); }

std::string PostgresRunQueue::submit(const RunSubmission& run) {
  const std::string sql =
      std::string(
          "WITH added AS (INSERT INTO weft_runs (run_id, thread_id, graph, input, priority, max_failures) "
          "VALUES ('run-' || gen_random_uuid(), $1, $2, $3, $4::integer, $5::integer) RETURNING run_id) "
          "SELECT run_id, pg_notify('") +
      kChannel + "', run_id) FROM added";
  try {
    auto rows = session_->exec(
        sql, {run.thread_id, run.graph, run.input, std::to_string(run.priority), std::to_string(run.max_failures)});
    return text(rows.at(0).at(0));
  } catch (const Error& e) {
    if (e.code() != std::error_code(store::error::thread_busy)) throw;
    throw Error(store::error::thread_busy, "thread '" + run.thread_id +
                                               "' already has a pending or running run; wait for it ('weft runs') "
                                               "or choose another --thread");
  }
}

std::optional<QueuedRun> PostgresRunQueue::claim(const std::string& worker, std::chrono::milliseconds lease) {
  // Pending runs first (the partial index hands them in priority order), then runs whose worker
  // stopped renewing. SKIP LOCKED: a row another claimer is updating right now is not waited for.
  static const char* const kWhere[] = {"status = 'pending' AND not_before <= now() ORDER BY priority DESC, seq",
                                       "status = 'running' AND lease_expires_at < now() ORDER BY lease_expires_at"};
  for (const char* where : kWhere) {
    const std::string sql =
        std::string("WITH next AS (SELECT run_id FROM weft_runs WHERE ") + where +
        " LIMIT 1 FOR UPDATE SKIP LOCKED) "
        "UPDATE weft_runs SET status = 'running', attempts = attempts + 1, epoch = epoch + 1, worker = $1, "
        "lease_expires_at = " +
        after("$2") + ", updated_at = now() WHERE run_id = (SELECT run_id FROM next) RETURNING " + kColumns;
    auto rows = session_->exec(sql, {worker, millis(lease)});
    if (!rows.empty()) return to_run(rows.front());
  }
  return std::nullopt;
}

bool PostgresRunQueue::renew(const std::string& run_id, std::int64_t epoch, std::chrono::milliseconds lease) {
  const std::string sql = "UPDATE weft_runs SET lease_expires_at = " + after("$3") +
                          ", updated_at = now() WHERE run_id = $1 AND epoch = $2::bigint AND status = 'running' "
                          "RETURNING 1";
  return !session_->exec(sql, {run_id, std::to_string(epoch), millis(lease)}).empty();
}

bool PostgresRunQueue::finish(const std::string& run_id, std::int64_t epoch, const AttemptOutcome& outcome) {
  std::vector<std::optional<std::string>> params{run_id, std::to_string(epoch)};
  auto param = [&params](std::string value) {
    params.emplace_back(std::move(value));
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
    case AttemptOutcome::Kind::released: set = "status = 'pending', not_before = now()"; break;
    case AttemptOutcome::Kind::postponed:
      set = "status = 'pending', not_before = " + after(param(millis(outcome.delay)));
      break;
  }
  // Only the claim (run_id, epoch) may end its attempt; a run that is pending again wakes the
  // idle workers when this statement commits.
  const std::string sql = "WITH ended AS (UPDATE weft_runs SET " + set +
                          ", lease_expires_at = NULL, updated_at = now() WHERE run_id = $1 AND epoch = $2::bigint "
                          "AND status = 'running' RETURNING run_id, status) SELECT run_id, CASE WHEN status = "
                          "'pending' THEN pg_notify('" +
                          kChannel + "', run_id) END FROM ended";
  return !session_->exec(sql, params).empty();
}

bool PostgresRunQueue::cancel(const std::string& run_id) {
  return !session_
              ->exec(
                  "UPDATE weft_runs SET status = 'cancelled', lease_expires_at = NULL, updated_at = now() "
                  "WHERE run_id = $1 AND status IN ('pending', 'running') RETURNING 1",
                  {run_id})
              .empty();
}

bool PostgresRunQueue::wait_for_work(std::chrono::milliseconds timeout) {
  if (!listening_) {
    session_->exec(std::string("LISTEN ") + kChannel);
    listening_ = true;
  }
  return session_->wait_for_notification(timeout);
}

std::optional<QueuedRun> PostgresRunQueue::run(const std::string& run_id) {
  auto rows = session_->exec(std::string("SELECT ") + kColumns + " FROM weft_runs WHERE run_id = $1", {run_id});
  if (rows.empty()) return std::nullopt;
  return to_run(rows.front());
}

std::vector<QueuedRun> PostgresRunQueue::runs(std::optional<RunQueueStatus> status, std::size_t limit) {
  std::vector<PgRow> rows;
  const std::string head = std::string("SELECT ") + kColumns + " FROM weft_runs";
  if (status) {
    rows = session_->exec(head + " WHERE status = $1 ORDER BY seq DESC LIMIT $2::bigint",
                          {std::string(to_string(*status)), std::to_string(limit)});
  } else {
    rows = session_->exec(head + " ORDER BY seq DESC LIMIT $1::bigint", {std::to_string(limit)});
  }
  std::vector<QueuedRun> out;
  out.reserve(rows.size());
  for (const auto& row : rows) out.push_back(to_run(row));
  return out;
}

}  // namespace weft
