#pragma once
// Private: the writer thread behind Durability::async. Jobs are committed in the order they were
// pushed, in batches (one transaction per batch, run by the commit callback). The first failure is
// kept: drain() and later push() calls rethrow it as store::error::write_failed and nothing more is
// committed, so a checkpoint never lands after a lost predecessor.

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
  /// (group commit); drain() and a batch of `max_batch` jobs cut it short.
  explicit AsyncWriter(CommitBatch commit, std::chrono::microseconds delay = {}, std::size_t max_batch = 1024)
      : commit_(std::move(commit)), delay_(delay), max_batch_(max_batch) {}
  ~AsyncWriter() { stop(); }
  AsyncWriter(const AsyncWriter&) = delete;
  AsyncWriter& operator=(const AsyncWriter&) = delete;

  /// Queues a job (starting the thread on first use). Throws the sticky error, if any.
  void push(Job job) {
    std::unique_lock lock(mutex_);
    throw_if_failed(lock);
    if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
    queue_.push_back(std::move(job));
    // Wake the writer for the first job (it then waits out the delay) or a full batch only, so a
    // push usually costs no context switch.
    if (queue_.size() == 1 || queue_.size() >= max_batch_) wake_.notify_one();
  }

  /// Returns once every pushed job is committed; throws the sticky error, if any.
  void drain() {
    std::unique_lock lock(mutex_);
    if (!queue_.empty() || busy_) {
      ++draining_;
      wake_.notify_one();
      idle_.wait(lock, [&] { return queue_.empty() && !busy_; });
      --draining_;
    }
    throw_if_failed(lock);
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

  void run() {
    std::unique_lock lock(mutex_);
    for (;;) {
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and nothing left
      if (delay_.count() > 0) {
        wake_.wait_until(lock, std::chrono::steady_clock::now() + delay_,
                         [&] { return stopping_ || draining_ > 0 || queue_.size() >= max_batch_; });
      }
      std::vector<Job> batch(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.end()));
      queue_.clear();
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
      busy_ = false;
      idle_.notify_all();
    }
  }

  CommitBatch commit_;
  const std::chrono::microseconds delay_;
  const std::size_t max_batch_;
  int draining_ = 0;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<Job> queue_;
  bool busy_ = false;
  bool stopping_ = false;
  std::exception_ptr failure_;
  std::thread thread_;
};

}  // namespace weft::store::detail
