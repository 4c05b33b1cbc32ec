// SPDX-License-Identifier: MIT
#pragma once
// ManualClock: a Clock for tests whose time only moves when something sleeps on it or advance()
// is called. sleep_for(d) advances the clock by d at once and records d, so a test can assert the
// waits the client chose (Retry-After honoured, backoff doubling) without waiting.

#include "nodes/http/clock.hpp"

#include <chrono>
#include <mutex>
#include <vector>

namespace weft::http {

/// Thread safety: every member may be called from any thread.
class ManualClock final : public Clock {
 public:
  /// Starts at an arbitrary steady time and at `wall` for system_now() (default: 2026-01-01T00:00:00Z).
  explicit ManualClock(std::chrono::system_clock::time_point wall = default_wall_time());

  std::chrono::steady_clock::time_point now() override;
  std::chrono::system_clock::time_point system_now() override;
  /// Records `duration`, advances both clocks by it, and completes without waiting (after one
  /// post to the awaiting executor, so concurrent coroutines interleave as they would for real).
  boost::asio::awaitable<void> sleep_for(std::chrono::nanoseconds duration) override;

  void advance(std::chrono::nanoseconds duration);
  /// Every positive duration passed to sleep_for, in call order.
  std::vector<std::chrono::nanoseconds> sleeps() const;
  /// Sum of sleeps().
  std::chrono::nanoseconds slept() const;

  static std::chrono::system_clock::time_point default_wall_time();

 private:
  mutable std::mutex mutex_;
  std::chrono::nanoseconds offset_{0};
  std::chrono::steady_clock::time_point steady_origin_;
  std::chrono::system_clock::time_point wall_origin_;
  std::vector<std::chrono::nanoseconds> sleeps_;
};

}  // namespace weft::http
