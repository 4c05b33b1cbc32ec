// SPDX-License-Identifier: MIT
#pragma once
// Clock: the engine's source of time and of waiting, injectable so tests never sleep for real.
//
// Retry back-off, durable timers (NodeContext::sleep_until) and checkpoint timestamps go through
// the run's Clock. SystemClock is the default; ManualClock is virtual time for tests.

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace weft {

class Clock {
 public:
  using duration = std::chrono::milliseconds;
  using time_point = std::chrono::time_point<std::chrono::system_clock, std::chrono::milliseconds>;

  virtual ~Clock() = default;
  /// Current wall-clock time (Unix epoch based).
  virtual time_point now() const = 0;
  /// Waits `delay` (<= 0 returns at once). Completes on the awaiting coroutine's executor and is
  /// cancellable through its cancellation slot (throws boost::system::system_error
  /// operation_aborted when cancelled).
  virtual boost::asio::awaitable<void> sleep(duration delay) = 0;

  /// now() in milliseconds since the Unix epoch.
  std::int64_t now_ms() const { return now().time_since_epoch().count(); }
};

/// Real time: std::chrono::system_clock and an asio steady_timer.
class SystemClock final : public Clock {
 public:
  time_point now() const override;
  boost::asio::awaitable<void> sleep(duration delay) override;
};

/// The process-wide SystemClock (stateless, so sharing it is not a hidden dependency).
std::shared_ptr<Clock> system_clock();

/// Virtual time for tests: sleep(d) records d, advances now() by d and returns at once (after a
/// post, so other coroutines get to run). Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(time_point start = time_point(std::chrono::milliseconds(1'700'000'000'000)));
  time_point now() const override;
  boost::asio::awaitable<void> sleep(duration delay) override;

  /// Moves time forward without sleeping.
  void advance(duration delta);
  /// Every delay passed to sleep(), in call order.
  std::vector<duration> sleeps() const;

 private:
  mutable std::mutex mutex_;
  time_point now_;
  std::vector<duration> sleeps_;
};

}  // namespace weft
