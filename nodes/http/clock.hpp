// SPDX-License-Identifier: MIT
#pragma once
// Clock: where the HTTP client reads time and waits. Injectable so that retry, backoff and
// token-bucket behaviour is tested deterministically (manual_clock.hpp) instead of by sleeping.

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <memory>

namespace weft::http {

class Clock {
 public:
  virtual ~Clock() = default;

  /// Monotonic time, for backoff and token buckets.
  virtual std::chrono::steady_clock::time_point now() = 0;
  /// Wall-clock time, to turn an HTTP-date Retry-After into a delay.
  virtual std::chrono::system_clock::time_point system_now() = 0;
  /// Waits `duration` (<= 0 returns at once). Completes on the awaiting coroutine's executor.
  /// Cancellable through the awaiting coroutine's cancellation slot: then it throws
  /// boost::system::system_error(boost::asio::error::operation_aborted).
  virtual boost::asio::awaitable<void> sleep_for(std::chrono::nanoseconds duration) = 0;
};

/// The real clocks and an Asio steady_timer. Shared, stateless; thread-safe.
std::shared_ptr<Clock> system_clock();

}  // namespace weft::http
