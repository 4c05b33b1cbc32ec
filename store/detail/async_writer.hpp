// SPDX-License-Identifier: MIT
#pragma once
// Private: the writer thread behind Durability::async. Jobs are committed in the order they were
// pushed, in batches (one transaction per batch, run by the commit callback). The first failure is
// kept: drain() and later push() calls rethrow it as store::error::write_failed and nothing more is
// committed, so a checkpoint never lands after a lost predecessor. Jobs pushed as not `visible`
// (bookkeeping readers of checkpoints need not wait for) are skipped by drain_visible().

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
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
  void push(Job job, bool visible = true) {
    std::unique_lock lock(mutex_);
    throw_if_failed(lock);
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
  void drain() {
    std::unique_lock lock(mutex_);
    drain_until(lock, [&] { return queue_.empty() && !busy_; });
  }

  /// Returns once every visible job pushed so far is committed (others may be committed with them
  /// or stay queued); throws the sticky error, if any. Commits on the calling thread as drain().
  void drain_visible() {
    std::unique_lock lock(mutex_);
    drain_until(lock, [&] { return visible_committed_ == visible_pushed_; });
  }

  /// Commits what is queued and joins the thread. Errors stay recorded (drain() reports them).
  void stop() noexcept {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
      wake_.notify_one();
    }
    if (thread_.joinable()) thread_.join();
  }

 private:
  void throw_if_failed(std::unique_lock<std::mutex>&) const {
    if (failure_) std::rethrow_exception(failure_);
  }

  template <class Done>
  void drain_until(std::unique_lock<std::mutex>& lock, Done done) {
    for (;;) {
      throw_if_failed(lock);
      if (done()) return;
      if (!busy_ && !queue_.empty()) {
        commit_queued(lock);
      } else {
        idle_.wait(lock, [&] { return !busy_; });
      }
    }
  }

  /// Takes every queued job as one batch and commits it with `lock` released; one batch at a
  /// time (busy_), so batches commit in push order whichever thread runs them.
  void commit_queued(std::unique_lock<std::mutex>& lock) {
    std::vector<Job> batch(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.end()));
    queue_.clear();
    const auto visible = static_cast<std::uint64_t>(std::count(visible_flags_.begin(), visible_flags_.end(), true));
    visible_flags_.clear();
    busy_ = true;
    const bool failed_before = failure_ != nullptr;
    lock.unlock();
    std::exception_ptr failure;
    if (!failed_before) {
      try {
        commit_(batch);
      } catch (...) {
        failure = std::current_exception();
      }
    }
    lock.lock();
    if (failure && !failure_) failure_ = failure;
    if (!failure_) visible_committed_ += visible;
    busy_ = false;
    idle_.notify_all();
  }

  void run() {
    // After its last sight of a push the writer polls every `delay` for kIdlePolls periods, then
    // sleeps until a push wakes it: an idle store costs no wake-ups, a busy one no notifications.
    constexpr int kIdlePolls = 50;
    int idle_polls = 0;
    std::unique_lock lock(mutex_);
    auto gather = [&] { wake_.wait_for(lock, delay_, [&] { return stopping_ || queue_.size() >= max_batch_; }); };
    for (;;) {
      if (stopping_) {
        if (busy_) {
          idle_.wait(lock, [&] { return !busy_; });
          continue;
        }
        if (queue_.empty()) return;
        commit_queued(lock);
        continue;
      }
      if (queue_.empty()) {
        if (delay_.count() > 0 && idle_polls < kIdlePolls) {
          const std::uint64_t before = pushes_;
          gather();
          idle_polls = pushes_ != before ? 0 : idle_polls + 1;
        } else {
          sleeping_ = true;
          wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
          sleeping_ = false;
          idle_polls = 0;
          if (delay_.count() > 0 && !stopping_) gather();
        }
      } else if (delay_.count() > 0 && queue_.size() < max_batch_) {
        gather();  // jobs that arrived during the last commit get their gathering time too
      }
      // A draining caller may have taken the queue meanwhile, or be committing it now.
      if (busy_) {
        idle_.wait(lock, [&] { return !busy_; });
        continue;
      }
      if (!queue_.empty()) commit_queued(lock);
    }
  }

  CommitBatch commit_;
  const std::chrono::microseconds delay_;
  const std::size_t max_batch_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<Job> queue_;
  std::deque<bool> visible_flags_;  // one per queued job
  std::uint64_t visible_pushed_ = 0, visible_committed_ = 0;
  bool busy_ = false;
  bool stopping_ = false;
  bool sleeping_ = false;     // the writer waits for a push with no deadline
  std::uint64_t pushes_ = 0;  // jobs ever pushed (the writer's sign of activity)
  std::exception_ptr failure_;
  std::thread thread_;
};

}  // namespace weft::store::detail
