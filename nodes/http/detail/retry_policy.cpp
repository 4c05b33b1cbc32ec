// SPDX-License-Identifier: MIT
// The HTTP client's retry policy: retried statuses and the waits between attempts.
#include "nodes/http/detail/retry_policy.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace weft::http::detail {

namespace chr = std::chrono;

bool retryable_status(int status) { return status == 429 || status == 420 || status == 423 || status >= 500; }

bool rate_limit_status(int status) { return status == 429 || status == 420 || status == 423; }

chr::nanoseconds backoff_delay(const RetryPolicy& policy, int attempt, double unit) {
  const double base = static_cast<double>(chr::duration_cast<chr::nanoseconds>(policy.initial_backoff).count()) *
                      std::pow(std::max(1.0, policy.multiplier), attempt - 1);
  const double capped =
      std::min(base, static_cast<double>(chr::duration_cast<chr::nanoseconds>(policy.max_backoff).count()));
  const double jitter = std::clamp(policy.jitter, 0.0, 1.0);
  return chr::nanoseconds(static_cast<std::int64_t>(capped * (1.0 - jitter * unit)));
}

chr::nanoseconds spread_delay(const RetryPolicy& policy, chr::nanoseconds server_wait, double unit) {
  const double jitter = std::clamp(policy.jitter, 0.0, 1.0);
  if (jitter <= 0) return chr::nanoseconds::zero();
  const auto span = std::min<chr::nanoseconds>(server_wait, chr::seconds(1));
  return chr::nanoseconds(static_cast<std::int64_t>(static_cast<double>(span.count()) * jitter * unit));
}

}  // namespace weft::http::detail
