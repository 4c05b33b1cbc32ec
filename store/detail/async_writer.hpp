// SPDX-License-Identifier: MIT
#pragma once
// Private: the writer thread behind Durability::async. Jobs are committed in the order they were
// pushed, in batches (one transaction per batch, run by the commit callback). The first failure is
// kept: drain() and later push() calls rethrow it as store::error::write_failed and nothing more is
// committed, so a checkpoint never lands after a lost predecessor. Jobs pushed as not `visible`
// (bookkeeping readers of checkpoints need not wait for) are skipped by drain_visible().
// Its state is guarded by one annotated Mutex (store/detail/mutex.hpp), checked by Clang.

#include "store/detail/mutex.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace weft::store::detail {

template <class Job>
class AsyncWriter {
 public:
  using CommitBatch = std::function<void(std::vector<Job>&)>;

  /// `delay`: how long the writer lets jobs accumulate after the first one before committing them
  /// (group commit); a batch of `max_batch` jobs cuts it short, and drain() commits at once on the
  /// caller's thread.
  explicit AsyncWriter(CommitBatch commit, std::chrono::microseconds delay = {}, std::size_t max_batch = 1024)
      : commit_(std::move(commit)), delay_(delay), max_batch_(max_batch) {}
  ~AsyncWriter() { stop(); }
  AsyncWriter(const AsyncWriter&) = delete;
  AsyncWriter& operator=(const AsyncWriter&) = delete;

  /// Queues a job (starting the thread on first use). Throws the sticky error, if any.
  /// drain_visible() waits for `visible` jobs only.
  void push(Job job, bool visible = true) EXCLUDES(mutex_) {
    MutexLock lock(mutex_);
    throw_if_failed();
    if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
    queue_.push_back(std::move(job));
    visible_flags_.push_back(visible);
    if (visible) ++visible_pushed_;
    ++pushes_;
    // Wake the writer only when it sleeps without a deadline (a busy writer polls every `delay`),
    // or for a full batch: a push in a busy period costs no system call.
    if ((sleeping_ && queue_.size() == 1) || queue_.size() >= max_batch_) wake_.notify_one();
  }

  /// Returns once every pushed job is committed; throws the sticky error, if any. The calling
  /// thread commits what is queued itself (no hand-off to the writer thread) unless the writer is
  /// already committing, in which case it waits for that batch and then takes the rest.
  void drain() EXCLUDES(mutex_) {
    MutexLock lock(mutex_);
    drain_until(&AsyncWriter::all_committed);
  }

  /// Returns once every visible job pushed so far is committed (others may be committed with them
  /// or stay queued); throws the sticky error, if any. Commits on the calling thread as drain().
  void drain_visible() EXCLUDES(mutex_) {
    MutexLock lock(mutex_);
    drain_until(&AsyncWriter::visible_committed);
  }

  /// Commits what is queued and joins the thread. Errors stay recorded (drain() reports them).
  void stop() noexcept EXCLUDES(mutex_) {
    {
      MutexLock lock(mutex_);
      stopping_ = true;
      wake_.notify_one();
    }
    if (thread_.joinable()) thread_.join();
  }

 private:
  void throw_if_failed() const REQUIRES(mutex_) {
    if (failure_) std::rethrow_exception(failure_);
  }
  bool all_committed() const REQUIRES(mutex_) { return queue_.empty() && !busy_; }
  bool visible_committed() const REQUIRES(mutex_) { return visible_committed_ == visible_pushed_; }
  void wait_while_busy() REQUIRES(mutex_) {
    while (busy_) idle_.wait(mutex_);
  }

  // `done` is a member, not a lambda: Clang's analysis knows a member annotated REQUIRES runs
  // under the lock, a lambda it would check as lock-free.
  void drain_until(bool (AsyncWriter::*done)() const) REQUIRES(mutex_) {
    for (;;) {
      throw_if_failed();
      if ((this->*done)()) return;
      if (!busy_ && !queue_.empty()) {
        commit_queued();
      } else {
        wait_while_busy();
      }
    }
  }

  /// Takes every queued job as one batch and commits it with mutex_ released meanwhile; one batch
  /// at a time (busy_), so batches commit in push order whichever thread runs them.
  void commit_queued() REQUIRES(mutex_) {
    std::vector<Job> batch(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.end()));
    queue_.clear();
    const auto visible = static_cast<std::uint64_t>(std::count(visible_flags_.begin(), visible_flags_.end(), true));
    visible_flags_.clear();
    busy_ = true;
    const bool failed_before = failure_ != nullptr;
    mutex_.unlock();
    std::exception_ptr failure;
    if (!failed_before) {
      try {
        commit_(batch);
      } catch (...) {
        failure = std::current_exception();
      }
    }
    mutex_.lock();
    if (failure && !failure_) failure_ = failure;
    if (!failure_) visible_committed_ += visible;
    busy_ = false;
    idle_.notify_all();
  }

  /// Waits up to delay_ for more jobs, less if stopping or a full batch is queued.
  void gather() REQUIRES(mutex_) {
    const auto due = std::chrono::steady_clock::now() + delay_;
    while (!stopping_ && queue_.size() < max_batch_) {
      const auto now = std::chrono::steady_clock::now();
      if (now >= due) return;
      wake_.wait_for(mutex_, due - now);
    }
  }

  void run() EXCLUDES(mutex_) {
    // After its last sight of a push the writer polls every `delay` for kIdlePolls periods, then
    // sleeps until a push wakes it: an idle store costs no wake-ups, a busy one no notifications.
    constexpr int kIdlePolls = 50;
    int idle_polls = 0;
    MutexLock lock(mutex_);
    for (;;) {
      if (stopping_) {
        if (busy_) {
          wait_while_busy();
          continue;
        }
        if (queue_.empty()) return;
        commit_queued();
        continue;
      }
      if (queue_.empty()) {
        if (delay_.count() > 0 && idle_polls < kIdlePolls) {
          const std::uint64_t before = pushes_;
          gather();
          idle_polls = pushes_ != before ? 0 : idle_polls + 1;
        } else {
          sleeping_ = true;
          while (!stopping_ && queue_.empty()) wake_.wait(mutex_);
          sleeping_ = false;
          idle_polls = 0;
          if (delay_.count() > 0 && !stopping_) gather();
        }
      } else if (delay_.count() > 0 && queue_.size() < max_batch_) {
        gather();  // jobs that arrived during the last commit get their gathering time too
      }
      // A draining caller may have taken the queue meanwhile, or be committing it now.
      if (busy_) {
        wait_while_busy();
        continue;
      }
      if (!queue_.empty()) commit_queued();
    }
  }

  CommitBatch commit_;
  const std::chrono::microseconds delay_;
  const std::size_t max_batch_;
  Mutex mutex_;
  CondVar wake_;
  CondVar idle_;
  std::deque<Job> queue_ GUARDED_BY(mutex_);
  std::deque<bool> visible_flags_ GUARDED_BY(mutex_);  // one per queued job
  std::uint64_t visible_pushed_ GUARDED_BY(mutex_) = 0;
  std::uint64_t visible_committed_ GUARDED_BY(mutex_) = 0;
  bool busy_ GUARDED_BY(mutex_) = false;
  bool stopping_ GUARDED_BY(mutex_) = false;
  bool sleeping_ GUARDED_BY(mutex_) = false;     // the writer waits for a push with no deadline
  std::uint64_t pushes_ GUARDED_BY(mutex_) = 0;  // jobs ever pushed (the writer's sign of activity)
  std::exception_ptr failure_ GUARDED_BY(mutex_);
  std::thread thread_;  // started by the first push (under mutex_), joined by stop() (without it)
};

}  // namespace weft::store::detail
