// SPDX-License-Identifier: MIT
// ManualClock: the default mode (every sleep completes at once, advancing time) and the
// wait_for_advance mode (a sleep waits until advance() passes its deadline; cancellable; advance()
// callable from another thread).

#include "engine/clock.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/system/system_error.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>

using namespace std::chrono_literals;
using weft::ManualClock;

namespace {

/// Starts a coroutine on `io` that sleeps `delay` on `clock`, then sets `woke`.
void spawn_sleep(boost::asio::io_context& io, ManualClock& clock, std::chrono::milliseconds delay, bool& woke) {
  boost::asio::co_spawn(
      io,
      [&clock, &woke, delay]() -> boost::asio::awaitable<void> {
        co_await clock.sleep(delay);
        woke = true;
      },
      boost::asio::detached);
}

}  // namespace

TEST_CASE("a default ManualClock completes a sleep at once and advances time by it") {
  ManualClock clock;
  boost::asio::io_context io;
  bool woke = false;
  spawn_sleep(io, clock, 7ms, woke);
  io.run();
  CHECK(woke);
  CHECK(clock.now() == ManualClock::default_start + 7ms);
  CHECK(clock.waiting() == 0);
}

TEST_CASE("wait_for_advance: a sleep completes only once advance() reaches its deadline") {
  ManualClock clock(ManualClock::Sleeps::wait_for_advance);
  boost::asio::io_context io;
  bool woke = false;
  spawn_sleep(io, clock, 100ms, woke);
  io.poll();
  CHECK(clock.waiting() == 1);
  CHECK_FALSE(woke);
  CHECK(clock.now() == ManualClock::default_start);  // sleeping does not move time in this mode

  clock.advance(99ms);
  io.poll();
  CHECK_FALSE(woke);
  CHECK(clock.waiting() == 1);

  clock.advance(1ms);
  CHECK(clock.waiting() == 0);
  CHECK_FALSE(woke);  // it completes on its own executor, not inside advance()
  io.poll();
  CHECK(woke);
  CHECK(clock.sleeps() == std::vector<std::chrono::nanoseconds>{100ms});
  CHECK(clock.now() == ManualClock::default_start + 100ms);
}

TEST_CASE("wait_for_advance: cancelling a waiting sleep ends it with operation_aborted") {
  ManualClock clock(ManualClock::Sleeps::wait_for_advance);
  boost::asio::io_context io;
  boost::asio::cancellation_signal cancel;
  bool ended = false;
  std::exception_ptr error;
  boost::asio::co_spawn(io, clock.sleep(1h),
                        boost::asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr e) {
                          ended = true;
                          error = e;
                        }));
  io.poll();
  REQUIRE(clock.waiting() == 1);
  cancel.emit(boost::asio::cancellation_type::terminal);
  io.poll();
  REQUIRE(ended);
  REQUIRE(error);
  try {
    std::rethrow_exception(error);
  } catch (const boost::system::system_error& e) {
    CHECK(e.code() == boost::asio::error::operation_aborted);
  }
  CHECK(clock.waiting() == 0);
  clock.advance(2h);  // nothing left to complete
  io.poll();
}

TEST_CASE("wait_for_advance: advance() from another thread completes exactly the sleeps now due") {
  ManualClock clock(ManualClock::Sleeps::wait_for_advance);
  boost::asio::io_context io;
  auto guard = boost::asio::make_work_guard(io);
  std::atomic<int> woken{0};
  for (int ms = 1; ms <= 10; ++ms) {
    boost::asio::co_spawn(
        io,
        [&clock, &woken, ms]() -> boost::asio::awaitable<void> {
          co_await clock.sleep(std::chrono::milliseconds(ms));
          ++woken;
        },
        boost::asio::detached);
  }
  std::thread runner([&io] { io.run(); });
  // Real time only bounds a broken clock; a working one finishes in microseconds.
  auto wait_until = [](auto done) {
    auto give_up = std::chrono::steady_clock::now() + 10s;
    while (!done() && std::chrono::steady_clock::now() < give_up) std::this_thread::yield();
    return done();
  };
  CHECK(wait_until([&] { return clock.waiting() == 10; }));
  clock.advance(5ms);
  CHECK(wait_until([&] { return woken == 5; }));
  CHECK(clock.waiting() == 5);
  clock.advance(5ms);
  CHECK(wait_until([&] { return woken == 10; }));
  guard.reset();
  runner.join();
  CHECK(woken == 10);
  CHECK(clock.waiting() == 0);
}
