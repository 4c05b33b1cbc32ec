// SPDX-License-Identifier: MIT
#include "nodes/http/clock.hpp"
#include "nodes/http/manual_clock.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace weft::http {

namespace asio = boost::asio;

namespace {

class SystemClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point now() override { return std::chrono::steady_clock::now(); }
  std::chrono::system_clock::time_point system_now() override { return std::chrono::system_clock::now(); }
  asio::awaitable<void> sleep_for(std::chrono::nanoseconds duration) override {
    if (duration <= std::chrono::nanoseconds::zero()) co_return;
    auto executor = co_await asio::this_coro::executor;
    asio::steady_timer timer(executor, duration);
    co_await timer.async_wait(asio::use_awaitable);
  }
};

}  // namespace

std::shared_ptr<Clock> system_clock() {
  static const std::shared_ptr<Clock> clock = std::make_shared<SystemClock>();
  return clock;
}

ManualClock::ManualClock(std::chrono::system_clock::time_point wall)
    : steady_origin_(std::chrono::steady_clock::time_point{} + std::chrono::hours(1000)), wall_origin_(wall) {}

std::chrono::system_clock::time_point ManualClock::default_wall_time() {
  return std::chrono::sys_days{std::chrono::year{2026} / std::chrono::January / 1};
}

std::chrono::steady_clock::time_point ManualClock::now() {
  std::lock_guard lock(mutex_);
  return steady_origin_ + std::chrono::duration_cast<std::chrono::steady_clock::duration>(offset_);
}

std::chrono::system_clock::time_point ManualClock::system_now() {
  std::lock_guard lock(mutex_);
  return wall_origin_ + std::chrono::duration_cast<std::chrono::system_clock::duration>(offset_);
}

asio::awaitable<void> ManualClock::sleep_for(std::chrono::nanoseconds duration) {
  if (duration > std::chrono::nanoseconds::zero()) {
    std::lock_guard lock(mutex_);
    offset_ += duration;
    sleeps_.push_back(duration);
  }
  auto executor = co_await asio::this_coro::executor;
  co_await asio::post(executor, asio::use_awaitable);
}

void ManualClock::advance(std::chrono::nanoseconds duration) {
  std::lock_guard lock(mutex_);
  offset_ += duration;
}

std::vector<std::chrono::nanoseconds> ManualClock::sleeps() const {
  std::lock_guard lock(mutex_);
  return sleeps_;
}

std::chrono::nanoseconds ManualClock::slept() const {
  std::lock_guard lock(mutex_);
  std::chrono::nanoseconds total{0};
  for (auto s : sleeps_) total += s;
  return total;
}

}  // namespace weft::http
