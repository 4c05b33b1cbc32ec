// SPDX-License-Identifier: MIT
#pragma once
// Private: a bounded pool of connections to one PostgreSQL database. At most max_size
// connections exist; a caller finding all of them in use waits (a coroutine on a timer of its
// own executor, never blocking it; a synchronous caller on a condition variable) until one is
// returned or acquire_timeout passes (then store::error::busy). A connection returned broken, or
// inside a transaction that could not be rolled back, is closed instead of reused.

#include "store/postgres/detail/connection.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace weft::store::postgres::detail {

class Pool : public std::enable_shared_from_this<Pool> {
 public:
  /// A connection taken from the pool; given back when destroyed.
  class Lease {
   public:
    Lease() = default;
    Lease(std::shared_ptr<Pool> pool, std::unique_ptr<Connection> connection)
        : pool_(std::move(pool)), connection_(std::move(connection)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&& other) noexcept;
    ~Lease();
    Connection& operator*() const noexcept { return *connection_; }
    Connection* operator->() const noexcept { return connection_.get(); }

   private:
    void give_back() noexcept;
    std::shared_ptr<Pool> pool_;
    std::unique_ptr<Connection> connection_;
  };

  /// Opens no connection yet (see open_one()). max_size >= 1.
  static std::shared_ptr<Pool> create(std::string url, std::size_t max_size, std::chrono::milliseconds acquire_timeout,
                                      int connect_timeout_s);

  /// Blocking: for synchronous interfaces only.
  Lease acquire();
  /// Waits on the caller's executor when the pool is exhausted.
  boost::asio::awaitable<Lease> async_acquire();

  /// Connections open now (idle + in use), for tests and diagnostics.
  std::size_t open_connections();
  const std::string& redacted_url() const noexcept { return redacted_url_; }

 private:
  Pool(std::string url, std::size_t max_size, std::chrono::milliseconds acquire_timeout, int connect_timeout_s);
  /// An idle connection, or a new one if below max_size; null when exhausted (mutex_ held by caller
  /// for the bookkeeping, released around the connect).
  std::unique_ptr<Connection> try_take(std::unique_lock<std::mutex>& lock);
  void give_back(std::unique_ptr<Connection> connection) noexcept;
  [[noreturn]] void throw_exhausted() const;

  const std::string url_;
  const std::string redacted_url_;
  const std::size_t max_size_;
  const std::chrono::milliseconds acquire_timeout_;
  const int connect_timeout_s_;

  std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t open_ = 0;
  /// Coroutines waiting for a connection: each sleeps on its own timer, woken by a cancel posted
  /// to that timer's executor.
  std::deque<std::weak_ptr<boost::asio::steady_timer>> waiters_;
};

}  // namespace weft::store::postgres::detail
