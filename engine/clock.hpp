// SPDX-License-Identifier: MIT
#pragma once
// Clock: Weft's one source of time and of waiting (LevelDB's Env), injectable so tests never sleep
// for real.
//
// Everything that reads time or waits goes through a Clock: the engine's retry back-off, durable
// timers (NodeContext::sleep_durably) and checkpoint timestamps (RunConfig::clock); the store's
// lease acquisition, renewal and expiry (SqliteOptions::clock) and memory-store TTLs; the HTTP
// client's back-off, Retry-After and token buckets (http::ClientOptions::clock); the server's
// crons. SystemClock is the default; ManualClock is virtual time for tests.

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
  /// Current wall-clock time (Unix epoch based), for timestamps, deadlines that survive a restart
  /// and HTTP dates. May jump (NTP).
  virtual time_point now() const = 0;
  /// Monotonic time, for intervals measured within one process (back-off, token buckets).
  virtual std::chrono::steady_clock::time_point steady_now() const = 0;
  /// Waits `delay` (<= 0 returns at once). Completes on the awaiting coroutine's executor and is
  /// cancellable through its cancellation slot (throws boost::system::system_error
  /// operation_aborted when cancelled).
  virtual boost::asio::awaitable<void> sleep_for(std::chrono::nanoseconds delay) = 0;

  /// sleep_for() in the engine's unit.
  boost::asio::awaitable<void> sleep(duration delay) { return sleep_for(delay); }
  /// now() in milliseconds since the Unix epoch.
  std::int64_t now_ms() const { return now().time_since_epoch().count(); }
};

/// Real time: std::chrono::system_clock, std::chrono::steady_clock and an asio steady_timer.
/// Stateless; thread-safe.
class SystemClock final : public Clock {
 public:
  time_point now() const override;
  std::chrono::steady_clock::time_point steady_now() const override;
  boost::asio::awaitable<void> sleep_for(std::chrono::nanoseconds delay) override;
};

/// The process-wide SystemClock (stateless, so sharing it is not a hidden dependency).
std::shared_ptr<Clock> system_clock();

/// Virtual time for tests: time moves only when something sleeps on it or advance() is called.
/// sleep_for(d) records d, advances both now() and steady_now() by d and returns at once (after
/// one post to the awaiting executor, so concurrent coroutines interleave as they would for real).
/// A test can thus assert the waits that were chosen (back-off doubling, Retry-After honoured, a
/// durable timer's remaining time) without waiting. Thread-safe.
class ManualClock final : public Clock {
 public:
  /// Starts at wall time `start` (default 2023-11-14T22:13:20Z) and an arbitrary steady time.
  explicit ManualClock(time_point start = time_point(std::chrono::milliseconds(1'700'000'000'000)));
  time_point now() const override;
  std::chrono::steady_clock::time_point steady_now() const override;
  boost::asio::awaitable<void> sleep_for(std::chrono::nanoseconds delay) override;

  /// Moves time forward without sleeping (a negative delta is ignored: time never goes back).
  void advance(std::chrono::nanoseconds delta);
  /// Every positive delay passed to sleep_for() (and sleep()), in call order.
  std::vector<std::chrono::nanoseconds> sleeps() const;
  /// Sum of sleeps().
  std::chrono::nanoseconds slept() const;

 private:
  const time_point wall_origin_;
  const std::chrono::steady_clock::time_point steady_origin_;
  mutable std::mutex mutex_;
  std::chrono::nanoseconds offset_{0};            // guarded by mutex_
  std::vector<std::chrono::nanoseconds> sleeps_;  // guarded by mutex_
};

}  // namespace weft
