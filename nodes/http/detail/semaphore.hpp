// SPDX-License-Identifier: MIT
#pragma once
// An asynchronous counting semaphore for coroutines (private): the per-host concurrency cap.

#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>

namespace weft::http::detail {

/// FIFO: waiters are served in arrival order. Thread safety: every member is thread-safe.
class Semaphore : public std::enable_shared_from_this<Semaphore> {
 public:
  explicit Semaphore(std::size_t capacity) : capacity_(capacity) {}

  /// Takes a slot if one is free (always, when capacity is 0 = unlimited).
  bool try_acquire();
  /// Waits for a slot. Completes on the awaiting coroutine's executor. Cancellable: the waiter
  /// leaves the queue and boost::system::system_error(operation_aborted) is thrown.
  boost::asio::awaitable<void> acquire();
  /// Returns a slot, handing it to the first waiter if any.
  void release();
  /// Changes the capacity (0 = unlimited); wakes waiters if slots became free.
  void set_capacity(std::size_t capacity);

 private:
  struct Waiter {
    std::function<void(boost::system::error_code)> resume;  ///< posts the completion to the waiter's executor
    bool done = false;
  };
  void cancel(const std::shared_ptr<Waiter>& waiter);
  // Pops waiters that may run now (lock held); returns them to complete outside the lock.
  std::deque<std::shared_ptr<Waiter>> grant_locked();
  static void complete(const std::shared_ptr<Waiter>& waiter, boost::system::error_code ec);

  std::mutex mutex_;
  std::size_t capacity_;
  std::size_t in_use_ = 0;
  std::deque<std::shared_ptr<Waiter>> waiters_;
};

}  // namespace weft::http::detail
