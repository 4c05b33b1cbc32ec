// SPDX-License-Identifier: MIT
#pragma once
// The HTTP client's retry policy (private): which statuses are retried, which mean "rate limited",
// and the waits between attempts (exponential backoff with jitter; the spread added to a server's
// asked wait). Pure functions: the caller draws the random number.

#include "nodes/http/options.hpp"

#include <chrono>

namespace weft::http::detail {

/// Statuses worth another attempt: rate limiting (429, 420, 423) and server errors (5xx).
bool retryable_status(int status);

/// Statuses that mean "slow down" (429 Too Many Requests, Twitter's 420, 423 Locked).
bool rate_limit_status(int status);

/// The wait before retry number `attempt` (1-based): initial_backoff * multiplier^(attempt-1),
/// capped at max_backoff, minus up to `jitter` of it; `unit` is a uniform draw in [0, 1).
std::chrono::nanoseconds backoff_delay(const RetryPolicy& policy, int attempt, double unit);

/// The jitter added to a server-asked wait: up to `jitter` of the wait (at most one second's
/// worth); `unit` is a uniform draw in [0, 1). Zero when the policy has no jitter.
std::chrono::nanoseconds spread_delay(const RetryPolicy& policy, std::chrono::nanoseconds server_wait, double unit);

}  // namespace weft::http::detail
