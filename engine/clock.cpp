// SPDX-License-Identifier: MIT
#include "engine/clock.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/post.hpp>

namespace weft {

Clock::time_point SystemClock::now() const {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

boost::asio::awaitable<void> SystemClock::sleep(duration delay) {
  if (delay.count() <= 0) co_return;
  auto executor = co_await boost::asio::this_coro::executor;
  boost::asio::steady_timer timer(executor, delay);
  co_await timer.async_wait(boost::asio::use_awaitable);
}

std::shared_ptr<Clock> system_clock() {
  static const auto clock = std::make_shared<SystemClock>();
  return clock;
}

ManualClock::ManualClock(time_point start) : now_(start) {}

Clock::time_point ManualClock::now() const {
  std::lock_guard lock(mutex_);
  return now_;
}

boost::asio::awaitable<void> ManualClock::sleep(duration delay) {
  {
    std::lock_guard lock(mutex_);
    sleeps_.push_back(delay);
    if (delay.count() > 0) now_ += delay;
  }
  // Yield once so a sleep is a real suspension point, as with a timer.
  auto executor = co_await boost::asio::this_coro::executor;
  co_await boost::asio::post(executor, boost::asio::use_awaitable);
}

void ManualClock::advance(duration delta) {
  std::lock_guard lock(mutex_);
  now_ += delta;
}

std::vector<Clock::duration> ManualClock::sleeps() const {
  std::lock_guard lock(mutex_);
  return sleeps_;
}

}  // namespace weft
