// SPDX-License-Identifier: MIT
#pragma once
// RetryPolicy: how a failing node is retried (LangGraph's RetryPolicy and defaults).

#include <chrono>
#include <exception>
#include <functional>

namespace weft {

/// The LangGraph default predicate, adapted to C++: retries everything except programming errors:
/// std::logic_error (and its subclasses: invalid_argument, out_of_range, ...), std::bad_alloc,
/// and weft::Error raised by the engine itself (invalid update, concurrent update, ...).
bool default_retry_on(const std::exception& error) noexcept;

struct RetryPolicy {
  /// Wait before the 2nd attempt. Default 500 ms.
  std::chrono::milliseconds initial_interval{500};
  /// Each later wait is multiplied by this. Default 2.
  double backoff_factor = 2.0;
  /// Cap on one wait (before jitter). Default 128 s.
  std::chrono::milliseconds max_interval{128'000};
  /// Attempts including the first. Default 3.
  int max_attempts = 3;
  /// Adds a uniform [0, 1000) ms to each wait. Default true. The jitter is drawn from a
  /// generator seeded by the task id and attempt, so a run is reproducible.
  bool jitter = true;
  /// Which exceptions are retried. Default default_retry_on. Interrupts are never retried.
  std::function<bool(const std::exception&)> retry_on = default_retry_on;

  /// The wait before attempt `attempt + 1` after `attempt` failures (attempt >= 1), without jitter:
  /// min(max_interval, initial_interval * backoff_factor^(attempt-1)).
  std::chrono::milliseconds backoff(int attempt) const noexcept;
};

}  // namespace weft
