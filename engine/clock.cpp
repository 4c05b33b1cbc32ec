// SPDX-License-Identifier: MIT
// SystemClock (real time) and ManualClock (virtual time for tests).
#include "engine/clock.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

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

/// One sleep waiting for advance(): advance() marks it due and cancels its timer (on the timer's
/// executor); the sleeping coroutine then tells "due" from "cancelled by its caller" by `due`.
struct ManualClock::Sleeper {
  Sleeper(const boost::asio::any_io_executor& executor, chr::nanoseconds deadline)
      : timer(executor, boost::asio::steady_timer::time_point::max()), deadline(deadline) {}
  boost::asio::steady_timer timer;
  const chr::nanoseconds deadline;  // on the clock's offset scale
  bool due = false;                 // guarded by the clock's mutex_
};

ManualClock::ManualClock(time_point start) : ManualClock(Sleeps::advance_time, start) {}

ManualClock::ManualClock(Sleeps sleeps, time_point start)
    : mode_(sleeps), wall_origin_(start), steady_origin_(chr::steady_clock::time_point{} + chr::hours(1000)) {}

ManualClock::~ManualClock() = default;

Clock::time_point ManualClock::now() const {
  std::lock_guard lock(mutex_);
  return wall_origin_ + chr::duration_cast<chr::milliseconds>(offset_);
}

chr::steady_clock::time_point ManualClock::steady_now() const {
  std::lock_guard lock(mutex_);
  return steady_origin_ + chr::duration_cast<chr::steady_clock::duration>(offset_);
}

boost::asio::awaitable<void> ManualClock::sleep_for(chr::nanoseconds delay) {
  if (mode_ == Sleeps::wait_for_advance && delay > chr::nanoseconds::zero()) return wait_for_advance(delay);
  return advance_by_sleeping(delay);
}

boost::asio::awaitable<void> ManualClock::advance_by_sleeping(chr::nanoseconds delay) {
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

boost::asio::awaitable<void> ManualClock::wait_for_advance(chr::nanoseconds delay) {
  auto executor = co_await boost::asio::this_coro::executor;
  std::shared_ptr<Sleeper> sleeper;
  {
    std::lock_guard lock(mutex_);
    sleeps_.push_back(delay);
    sleeper = std::make_shared<Sleeper>(executor, offset_ + delay);
    waiting_.push_back(sleeper);
  }
  // No suspension between registering and waiting: advance()'s cancel, posted to this executor,
  // runs after the wait has started.
  boost::system::error_code ignored;
  auto waiting = sleeper->timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ignored));
  co_await std::move(waiting);
  bool due = false;
  {
    std::lock_guard lock(mutex_);
    due = sleeper->due;
    std::erase_if(waiting_, [&sleeper](const std::weak_ptr<Sleeper>& weak) {
      auto other = weak.lock();
      return !other || other == sleeper;
    });
  }
  if (!due) throw boost::system::system_error(boost::asio::error::operation_aborted);
}

void ManualClock::advance(chr::nanoseconds delta) {
  std::vector<std::shared_ptr<Sleeper>> due;
  {
    std::lock_guard lock(mutex_);
    if (delta > chr::nanoseconds::zero()) offset_ += delta;
    for (const std::weak_ptr<Sleeper>& weak : waiting_) {
      std::shared_ptr<Sleeper> sleeper = weak.lock();
      if (!sleeper || sleeper->due || sleeper->deadline > offset_) continue;
      sleeper->due = true;
      due.push_back(std::move(sleeper));
    }
  }
  for (std::shared_ptr<Sleeper>& sleeper : due) {
    auto executor = sleeper->timer.get_executor();
    boost::asio::post(executor, [sleeper = std::move(sleeper)] { sleeper->timer.cancel(); });
  }
}

std::size_t ManualClock::waiting() const {
  std::lock_guard lock(mutex_);
  std::size_t count = 0;
  for (const std::weak_ptr<Sleeper>& weak : waiting_) {
    std::shared_ptr<Sleeper> sleeper = weak.lock();
    if (sleeper && !sleeper->due) ++count;
  }
  return count;
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
