// SPDX-License-Identifier: MIT
#pragma once
// RunQueue: the durable queue of runs that `weft worker` processes share. A run is a row: which
// graph on which thread with which input, its priority, how often it was claimed and failed, and
// its status (pending, running, done, failed, cancelled). A worker claims a run with a lease; the
// claim carries an epoch, and every later call about that run names the epoch, so a worker whose
// lease expired (paused, partitioned, killed) can never finish, renew or release a run that
// another worker claimed since. The engine knows nothing of this queue; the command line drives
// it (cli/commands_worker.cpp). The PostgreSQL implementation is store/postgres_run_queue.hpp.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weft {

enum class RunQueueStatus { pending, running, done, failed, cancelled };

/// "pending", "running", "done", "failed", "cancelled".
std::string_view to_string(RunQueueStatus status) noexcept;
/// The inverse of to_string; nullopt for any other text.
std::optional<RunQueueStatus> run_queue_status_from(std::string_view text) noexcept;

/// What `weft submit` enqueues.
struct RunSubmission {
  std::string graph;      ///< a registered graph's name (the queue does not check it; the worker does)
  std::string thread_id;  ///< the thread the run advances; at most one pending/running run per thread
  std::string input;      ///< the graph's input as JSON text (validated by the submitter)
  int priority = 0;       ///< higher runs first; equal priorities run in submission order
  int max_failures = 3;   ///< after this many failed attempts the run stops as `failed`, its error kept
  /// After this many claims that did not finish (failed, or the worker stopped without reporting:
  /// killed, crashed, cut off) the run stops as `failed` instead of being claimed again, so a run
  /// that kills its worker cannot crash-loop the fleet. Claims handed back on purpose (released,
  /// postponed) do not count. 0 (default): max_failures + 3.
  int max_attempts = 0;
};

/// A run as the queue holds it.
struct QueuedRun {
  std::string run_id;
  std::string graph;
  std::string thread_id;
  std::string input;
  int priority = 0;
  RunQueueStatus status = RunQueueStatus::pending;
  int attempts = 0;        ///< how many times a worker claimed it (a dead worker's claim counts)
  int failures = 0;        ///< how many attempts ended in an error
  int max_failures = 3;    ///< see RunSubmission
  int max_attempts = 6;    ///< see RunSubmission (resolved: never 0 here)
  int handed_back = 0;     ///< claims ended as released or postponed (not counted against max_attempts)
  std::string error;       ///< the last attempt's error, kept when the run failed for good
  std::string worker;      ///< who holds (or last held) it: "host:pid/slot"
  std::int64_t epoch = 0;  ///< bumped by every claim: the fencing token of the current claim
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
};

/// How a claimed attempt ended, as a worker reports it.
struct AttemptOutcome {
  enum class Kind {
    done,       ///< the run finished (or waits for a human: the thread holds its question)
    failed,     ///< the run failed; it is retried until max_failures, then kept `failed`
    released,   ///< the worker stops (SIGTERM) before the run ended: back to pending, not a failure
    postponed,  ///< the thread is busy elsewhere: back to pending after `delay`, not a failure
  } kind = Kind::done;
  std::string error;                   ///< failed: what went wrong (kept on the row)
  std::chrono::milliseconds delay{0};  ///< failed/postponed: not claimable before now + delay
};

/// The durable run queue. Implementations are safe to share between processes; one RunQueue
/// object is used by one thread at a time (open one per worker slot). Errors: weft::Error with a
/// store::error code; a message never contains a database password.
class RunQueue {
 public:
  virtual ~RunQueue() = default;

  /// Enqueues a run (pending) and wakes waiting workers; returns its id. Throws weft::Error
  /// thread_busy when the thread already has a pending or running run (nothing is enqueued).
  virtual std::string submit(const RunSubmission& run) = 0;

  /// Claims the best claimable run: pending (and past its retry delay), or running with an
  /// expired lease (its worker died). Skips rows other workers are claiming this instant, so two
  /// claimers never get the same run. Sets it running for `worker` until now + lease, bumps
  /// attempts and epoch. A claimable run that already used its max_attempts (attempts -
  /// handed_back) is set `failed` instead, with an error naming the cause and its last worker, and
  /// the next one is tried. nullopt when there is nothing to claim.
  virtual std::optional<QueuedRun> claim(const std::string& worker, std::chrono::milliseconds lease) = 0;

  /// Extends the lease of the claim (run_id, epoch) to now + lease. false when the claim is no
  /// longer this one's (expired and taken over, cancelled, or finished): stop working on it.
  virtual bool renew(const std::string& run_id, std::int64_t epoch, std::chrono::milliseconds lease) = 0;

  /// Records how the attempt of claim (run_id, epoch) ended. false, with nothing written, when
  /// the claim is no longer this one's.
  virtual bool finish(const std::string& run_id, std::int64_t epoch, const AttemptOutcome& outcome) = 0;

  /// Marks a pending or running run cancelled (a running one's worker sees it at its next renew).
  /// false when the run does not exist or already ended.
  virtual bool cancel(const std::string& run_id) = 0;

  /// Blocks until a run may be claimable (a submit or release was notified) or `timeout` passed.
  /// Returns true when woken by a notification. Polling after a timeout stays necessary: an
  /// expired lease notifies nobody.
  virtual bool wait_for_work(std::chrono::milliseconds timeout) = 0;

  /// One run, or nullopt.
  virtual std::optional<QueuedRun> run(const std::string& run_id) = 0;
  /// Runs, newest first, at most `limit`; only those with `status` when given.
  virtual std::vector<QueuedRun> runs(std::optional<RunQueueStatus> status, std::size_t limit) = 0;
};

}  // namespace weft
