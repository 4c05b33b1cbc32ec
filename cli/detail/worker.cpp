// SPDX-License-Identifier: MIT
// The worker's threads (worker.hpp): N slots, one heartbeat, one signal waiter.

#include "cli/detail/worker.hpp"

#include "cli/database.hpp"
#include "cli/detail/queued_run.hpp"
#include "cli/exit_code.hpp"
#include "cli/runtime.hpp"
#include "engine/error.hpp"
#include "store/error.hpp"
#include "store/postgres_run_queue.hpp"

#include <atomic>
#include <csignal>
#include <map>
#include <mutex>
#include <ostream>
#include <pthread.h>
#include <stop_token>
#include <thread>
#include <unistd.h>

namespace weft::cli::detail {
namespace {

using namespace std::chrono_literals;

std::string worker_name() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(host) + ":" + std::to_string(::getpid());
}

// A claim being executed by a slot; the heartbeat renews it and stops it once lost.
struct ActiveClaim {
  std::string run_id;
  std::int64_t epoch = 0;
  std::stop_source stop;
  bool renew_failed = false;
};

class Worker {
 public:
  Worker(const WorkerOptions& options, const Invocation& inv) : options_(options), inv_(inv), name_(worker_name()) {}

  int run() {
    // Signals are taken by one thread (sigwait), never by a slot in the middle of a query.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    {
      // Connecting (and migrating) once here turns a bad URL into one error before any thread starts.
      PostgresRunQueue queue(options_.queue_url);
      log("worker " + name_ + " on " + queue.redacted_url() + ", " + std::to_string(options_.concurrency) + " slot(s)");
    }
    std::thread signal_waiter([this, signals] { wait_for_signal(signals); });
    std::thread heartbeat([this] { renew_leases(); });
    std::vector<std::thread> slots;
    for (int i = 0; i < options_.concurrency; ++i) slots.emplace_back([this, i] { slot(i); });
    for (auto& s : slots) s.join();
    finished_ = true;
    heartbeat.join();
    signal_waiter.join();
    pthread_sigmask(SIG_UNBLOCK, &signals, nullptr);
    if (failed_) return kExitFailed;
    log(signal_ ? "stopped by " + std::string(signal_ == SIGINT ? "SIGINT" : "SIGTERM") + "; leases released"
                : "queue drained");
    return kExitDone;
  }

 private:
  void log(const std::string& line) {
    std::lock_guard lock(log_mutex_);
    inv_.err << "weft worker: " << line << "\n" << std::flush;
  }

  void stop_all() {
    stopping_ = true;
    std::lock_guard lock(mutex_);
    for (auto& [slot, claim] : active_) claim.stop.request_stop();
  }

  void wait_for_signal(sigset_t signals) {
    const timespec tick{0, 200'000'000};
    while (!finished_) {
      const int signal = sigtimedwait(&signals, nullptr, &tick);
      if (signal == SIGINT || signal == SIGTERM) {
        if (!stopping_) log("stopping: no new claims; running runs stop at their next step and go back to the queue");
        signal_ = signal;
        stop_all();
      }
    }
  }

  void renew_leases() {
    std::unique_ptr<PostgresRunQueue> queue;
    const auto period = std::max<std::chrono::milliseconds>(options_.lease / 3, 10ms);
    auto next = std::chrono::steady_clock::now() + period;
    while (!finished_) {
      std::this_thread::sleep_for(20ms);
      if (std::chrono::steady_clock::now() < next) continue;
      next = std::chrono::steady_clock::now() + period;
      std::vector<std::pair<int, ActiveClaim>> claims;
      {
        std::lock_guard lock(mutex_);
        for (const auto& [slot, claim] : active_) claims.emplace_back(slot, claim);
      }
      for (auto& [slot, claim] : claims) {
        bool kept = false;
        try {
          if (!queue) queue = std::make_unique<PostgresRunQueue>(options_.queue_url);
          kept = queue->renew(claim.run_id, claim.epoch, options_.lease);
        } catch (const Error& e) {
          log(std::string("cannot renew leases: ") + e.what());  // retried next period; expiry fences us
          queue.reset();
          continue;
        }
        if (kept) continue;
        std::lock_guard lock(mutex_);
        auto it = active_.find(slot);
        if (it != active_.end() && it->second.run_id == claim.run_id && it->second.epoch == claim.epoch) {
          it->second.renew_failed = true;
          it->second.stop.request_stop();
        }
      }
    }
  }

  // Whether anything is left for a draining worker: runs pending or running anywhere.
  static bool queue_empty(PostgresRunQueue& queue) {
    return queue.runs(RunQueueStatus::pending, 1).empty() && queue.runs(RunQueueStatus::running, 1).empty();
  }

  // Opens the checkpoint store. A SQLite file shared by several workers can stay locked past the
  // busy timeout while the others start and write at once: that is retried (for up to a minute),
  // not a reason to stop this slot; any other error is.
  std::shared_ptr<Database> open_database() {
    for (int attempt = 1;; ++attempt) {
      try {
        return Database::open(options_.settings.db_path, Database::Mode::create, options_.lease.count());
      } catch (const Error& e) {
        if (e.code() != store::error::busy || attempt >= 60 || stopping_) throw;
        log(std::string(e.what()) + "; retrying");
        std::this_thread::sleep_for(1s);
      }
    }
  }

  void slot(int index) {
    try {
      Runtime runtime(options_.settings, inv_.env);
      // The thread leases expire with the queue's: a run taken over from a dead or paused worker
      // finds its thread free as soon as its claim is.
      runtime.open_store(open_database());
      runtime.connect([this](const std::string& line) { log(line); });
      PostgresRunQueue queue(options_.queue_url);
      const std::string me = name_ + "/" + std::to_string(index);
      CompiledGraphs compiled;
      while (!stopping_) {
        auto run = queue.claim(me, options_.lease);
        if (!run) {
          if (options_.drain && queue_empty(queue)) return;
          queue.wait_for_work(options_.poll);
          continue;
        }
        if (!execute(index, runtime, compiled, queue, *run)) return;
      }
    } catch (const std::exception& e) {
      log("slot " + std::to_string(index) + ": " + e.what());
      failed_ = true;
      stop_all();
    }
  }

  // Executes one claimed run and reports it; false when this worker must stop (lost a claim).
  bool execute(int index, Runtime& runtime, CompiledGraphs& compiled, PostgresRunQueue& queue, const QueuedRun& run) {
    std::stop_token token;
    {
      std::lock_guard lock(mutex_);
      ActiveClaim& claim = active_[index];
      claim = ActiveClaim{run.run_id, run.epoch, {}, false};
      if (stopping_) claim.stop.request_stop();
      token = claim.stop.get_token();
    }
    const std::string what = run.run_id + " (" + run.graph + " on thread " + run.thread_id + ", attempt " +
                             std::to_string(run.attempts) + ")";
    QueuedRunResult result = execute_queued_run(runtime, inv_.graphs, compiled, run, token);
    bool renew_failed = false;
    {
      std::lock_guard lock(mutex_);
      renew_failed = active_[index].renew_failed;
      active_.erase(index);
    }
    const bool finished = !result.lease_lost && queue.finish(run.run_id, run.epoch, result.outcome);
    if (finished) {
      log(what + ": " + result.summary);
      return true;
    }
    auto now = queue.run(run.run_id);
    if (now && now->status == RunQueueStatus::cancelled) {
      log(what + ": cancelled");
      return true;
    }
    log("lost " + what + " to " + (now ? now->worker : std::string("nobody")) +
        ": this worker's lease expired (was it paused or cut off?) and another worker took the run over; " +
        (result.lease_lost || renew_failed ? "nothing was written after that" : "its result was not recorded") +
        "; exiting");
    failed_ = true;
    stop_all();
    return false;
  }

  const WorkerOptions& options_;
  const Invocation& inv_;
  const std::string name_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> finished_{false};
  std::atomic<bool> failed_{false};
  std::atomic<int> signal_{0};
  std::mutex mutex_;
  std::map<int, ActiveClaim> active_;
  std::mutex log_mutex_;
};

}  // namespace

int run_worker(const WorkerOptions& options, const Invocation& inv) {
  Worker worker(options, inv);
  return worker.run();
}

}  // namespace weft::cli::detail
