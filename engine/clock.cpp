// SPDX-License-Identifier: MIT
// SystemClock (real time) and ManualClock (virtual time for tests).
#include "engine/clock.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace weft {

namespace chr = std::chrono;

Clock::time_point SystemClock::now() const { return chr::time_point_cast<chr::milliseconds>(chr::system_clock::now()); }

chr::steady_clock::time_point SystemClock::steady_now() const { return chr::steady_clock::now(); }

boost::asio::awaitable<void> SystemClock::sleep_for(chr::nanoseconds delay) {
  if (delay <= chr::nanoseconds::zero()) co_return;
  auto executor = co_await boost::asio::this_coro::executor;
  boost::asio::steady_timer timer(executor, delay);
  co_await timer.async_wait(boost::asio::use_awaitable);
}

std::shared_ptr<Clock> system_clock() {
  static const std::shared_ptr<Clock> clock = std::make_shared<SystemClock>();
  return clock;
}

ManualClock::ManualClock(time_point start)
    : wall_origin_(start), steady_origin_(chr::steady_clock::time_point{} + chr::hours(1000)) {}

Clock::time_point ManualClock::now() const {
  std::lock_guard lock(mutex_);
  return wall_origin_ + chr::duration_cast<chr::milliseconds>(offset_);
}

chr::steady_clock::time_point ManualClock::steady_now() const {
  std::lock_guard lock(mutex_);
  return steady_origin_ + chr::duration_cast<chr::steady_clock::duration>(offset_);
}

boost::asio::awaitable<void> ManualClock::sleep_for(chr::nanoseconds delay) {
  {
    std::lock_guard lock(mutex_);
    if (delay > chr::nanoseconds::zero()) {
      sleeps_.push_back(delay);
      offset_ += delay;
    }
  }
  // Yield once so a sleep is a real suspension point, as with a timer.
  auto executor = co_await boost::asio::this_coro::executor;
  co_await boost::asio::post(executor, boost::asio::use_awaitable);
}

void ManualClock::advance(chr::nanoseconds delta) {
  std::lock_guard lock(mutex_);
  if (delta > chr::nanoseconds::zero()) offset_ += delta;
}

std::vector<chr::nanoseconds> ManualClock::sleeps() const {
  std::lock_guard lock(mutex_);
  return sleeps_;
}

chr::nanoseconds ManualClock::slept() const {
  std::lock_guard lock(mutex_);
  chr::nanoseconds total{0};
  for (chr::nanoseconds s : sleeps_) total += s;
  return total;
}

}  // namespace weft
