// SPDX-License-Identifier: MIT
// A bounded pool of PostgreSQL connections (pool.hpp).
#include "store/postgres/detail/pool.hpp"

#include "store/error.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace weft::store::postgres::detail {

Pool::Lease& Pool::Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    give_back();
    pool_ = std::move(other.pool_);
    connection_ = std::move(other.connection_);
  }
  return *this;
}

Pool::Lease::~Lease() { give_back(); }

void Pool::Lease::give_back() noexcept {
  if (pool_ && connection_) pool_->give_back(std::move(connection_));
  pool_.reset();
}

std::shared_ptr<Pool> Pool::create(std::string url, std::size_t max_size, std::chrono::milliseconds acquire_timeout,
                                   int connect_timeout_s) {
  return std::shared_ptr<Pool>(new Pool(std::move(url), max_size, acquire_timeout, connect_timeout_s));
}

Pool::Pool(std::string url, std::size_t max_size, std::chrono::milliseconds acquire_timeout, int connect_timeout_s)
    : url_(std::move(url)),
      redacted_url_(redact_url(url_)),
      max_size_(max_size == 0 ? 1 : max_size),
      acquire_timeout_(acquire_timeout),
      connect_timeout_s_(connect_timeout_s) {}

std::unique_ptr<Connection> Pool::try_take(std::unique_lock<std::mutex>& lock) {
  if (!idle_.empty()) {
    std::unique_ptr<Connection> c = std::move(idle_.back());
    idle_.pop_back();
    return c;
  }
  if (open_ >= max_size_) return nullptr;
  ++open_;
  lock.unlock();
  try {
    auto c = std::make_unique<Connection>(url_, connect_timeout_s_);
    lock.lock();
    return c;
  } catch (...) {
    lock.lock();
    --open_;
    throw;
  }
}

void Pool::throw_exhausted() const {
  throw Error(error::busy, "all " + std::to_string(max_size_) + " connections to " + redacted_url_ +
                               " stayed in use for " + std::to_string(acquire_timeout_.count()) +
                               " ms; raise the pool size or lower the load");
}

Pool::Lease Pool::acquire() {
  std::unique_lock lock(mutex_);
  auto deadline = std::chrono::steady_clock::now() + acquire_timeout_;
  for (;;) {
    if (auto c = try_take(lock)) return Lease(shared_from_this(), std::move(c));
    if (returned_.wait_until(lock, deadline) == std::cv_status::timeout) {
      if (auto c = try_take(lock)) return Lease(shared_from_this(), std::move(c));
      throw_exhausted();
    }
  }
}

boost::asio::awaitable<Pool::Lease> Pool::async_acquire() {
  auto executor = co_await boost::asio::this_coro::executor;
  auto deadline = std::chrono::steady_clock::now() + acquire_timeout_;
  for (;;) {
    // A wake-up posted before the wait began would be lost: sleep in slices of at most 50 ms.
    auto timer = std::make_shared<boost::asio::steady_timer>(
        executor, std::min(deadline, std::chrono::steady_clock::now() + std::chrono::milliseconds(50)));
    {
      std::unique_lock lock(mutex_);
      if (auto c = try_take(lock)) co_return Lease(shared_from_this(), std::move(c));
      if (std::chrono::steady_clock::now() >= deadline) throw_exhausted();
      waiters_.push_back(timer);
    }
    boost::system::error_code ec;
    co_await timer->async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    // Woken (cancelled) by a returned connection, or timed out: try again; the deadline decides.
  }
}

void Pool::give_back(std::unique_ptr<Connection> connection) noexcept {
  if (connection->usable() && connection->in_transaction()) {
    try {
      connection->exec("ROLLBACK");
    } catch (...) {}
  }
  bool reusable = connection->usable() && !connection->in_transaction();
  std::shared_ptr<boost::asio::steady_timer> wake;
  {
    std::lock_guard lock(mutex_);
    if (reusable) {
      idle_.push_back(std::move(connection));
    } else {
      --open_;
    }
    while (!waiters_.empty() && !wake) {
      wake = waiters_.front().lock();
      waiters_.pop_front();
    }
  }
  connection.reset();  // a broken one is closed outside the lock
  returned_.notify_one();
  if (wake) {
    boost::asio::post(wake->get_executor(), [wake] { wake->cancel(); });
  }
}

std::size_t Pool::open_connections() {
  std::lock_guard lock(mutex_);
  return open_;
}

}  // namespace weft::store::postgres::detail
