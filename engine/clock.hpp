// SPDX-License-Identifier: MIT
#pragma once
// Clock: Weft's one source of time and of waiting (LevelDB's Env), injectable so tests never sleep
// for real.
//
// Everything that reads time or waits goes through a Clock: the engine's retry back-off, node
// timeouts, durable timers (NodeContext::sleep_durably) and checkpoint timestamps
// (RunConfig::clock); MemoryCheckpointer's thread and journal timestamps; the store's lease
// acquisition, renewal and expiry (SqliteOptions::clock) and memory-store TTLs; the HTTP client's
// back-off, Retry-After and token buckets (http::ClientOptions::clock); the server's crons. SystemClock is the default; ManualClock is virtual time for tests.

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
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

/// Virtual time for tests, in one of two modes (Sleeps):
/// - Sleeps::advance_time (the default): time moves when something sleeps on it or advance() is
///   called. sleep_for(d) records d, advances both now() and steady_now() by d and returns at once
///   (after one post to the awaiting executor, so concurrent coroutines interleave as they would
///   for real). A test can thus assert the waits that were chosen (back-off doubling, Retry-After
///   honoured, a durable timer's remaining time) without waiting.
/// - Sleeps::wait_for_advance: time moves only by advance(). sleep_for(d) records d and waits
///   until advance() moves time to or past its deadline (now + d when it started); advance() then
///   completes it through a post to its executor (which must run one thing at a time: a
///   single-threaded io_context or a strand, as coroutines need anyway). For races against a
///   deadline (node timeouts), where a sleep that completes at once would always win. Cancelling
///   the sleeper's cancellation slot still ends the sleep with operation_aborted. waiting() tells
///   a test when the code under test has started its sleeps.
/// Thread-safe: advance() may be called from any thread.
class ManualClock final : public Clock {
 public:
  enum class Sleeps { advance_time, wait_for_advance };
  /// 2023-11-14T22:13:20Z.
  static constexpr time_point default_start{std::chrono::milliseconds(1'700'000'000'000)};

  /// Starts at wall time `start` and an arbitrary steady time, in Sleeps::advance_time mode.
  explicit ManualClock(time_point start = default_start);
  /// Starts at wall time `start` and an arbitrary steady time, in mode `sleeps`.
  explicit ManualClock(Sleeps sleeps, time_point start = default_start);
  ~ManualClock() override;
  time_point now() const override;
  std::chrono::steady_clock::time_point steady_now() const override;
  boost::asio::awaitable<void> sleep_for(std::chrono::nanoseconds delay) override;

  /// Moves time forward without sleeping (a negative delta is ignored: time never goes back) and,
  /// in Sleeps::wait_for_advance mode, completes the sleeps now due.
  void advance(std::chrono::nanoseconds delta);
  /// Sleeps started and not yet due (always 0 in Sleeps::advance_time mode).
  std::size_t waiting() const;
  /// Every positive delay passed to sleep_for() (and sleep()), in call order.
  std::vector<std::chrono::nanoseconds> sleeps() const;
  /// Sum of sleeps().
  std::chrono::nanoseconds slept() const;

 private:
  struct Sleeper;
  boost::asio::awaitable<void> advance_by_sleeping(std::chrono::nanoseconds delay);
  boost::asio::awaitable<void> wait_for_advance(std::chrono::nanoseconds delay);

  const Sleeps mode_;
  const time_point wall_origin_;
  const std::chrono::steady_clock::time_point steady_origin_;
  mutable std::mutex mutex_;
  std::chrono::nanoseconds offset_{0};            // guarded by mutex_
  std::vector<std::chrono::nanoseconds> sleeps_;  // guarded by mutex_
  // Sleeps waiting for advance(), owned by their coroutines (so a sleeper whose io_context is
  // destroyed goes with it); guarded by mutex_.
  std::vector<std::weak_ptr<Sleeper>> waiting_;
};

}  // namespace weft
