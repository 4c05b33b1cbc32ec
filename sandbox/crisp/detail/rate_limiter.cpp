// SPDX-License-Identifier: MIT
#include "sandbox/crisp/detail/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace weft::sandbox::crisp::detail {

void RateLimiter::configure(const Limits& limits) {
  limits_ = limits;
  buckets_.clear();
  quotas_.clear();
}

LimitVerdict RateLimiter::charge(const std::string& token, const std::string& tier, std::int64_t now_ms) {
  LimitVerdict v;
  constexpr std::int64_t day_ms = 86'400'000;
  const std::int64_t quota = tier == "plugin"    ? limits_.quota_plugin
                             : tier == "website" ? limits_.quota_website
                                                 : limits_.quota_user;
  Quota& q = quotas_[token];
  const std::int64_t day = now_ms / day_ms;
  if (q.day != day) {
    q.day = day;
    q.used = 0;
  }
  if (quota > 0 && q.used >= quota) {
    v.kind = LimitVerdict::Kind::quota_exceeded;
    v.retry_after_s = std::max<std::int64_t>(1, ((day + 1) * day_ms - now_ms + 999) / 1000);
    return v;
  }
  if (limits_.rate_per_second > 0 && limits_.burst > 0) {
    v.bucket_enabled = true;
    Bucket& b = buckets_[token];
    if (!b.init) {
      b.init = true;
      b.tokens = limits_.burst;
      b.last_ms = now_ms;
    }
    const double elapsed = static_cast<double>(std::max<std::int64_t>(0, now_ms - b.last_ms)) / 1000.0;
    b.tokens = std::min(limits_.burst, b.tokens + elapsed * limits_.rate_per_second);
    b.last_ms = now_ms;
    v.limit = static_cast<std::int64_t>(limits_.burst);
    v.window_s =
        std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(limits_.burst / limits_.rate_per_second)));
    if (b.tokens < 1.0) {
      v.kind = LimitVerdict::Kind::rate_limited;
      v.retry_after_s =
          std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil((1.0 - b.tokens) / limits_.rate_per_second)));
      v.remaining = 0;
      v.reset_s = v.retry_after_s;
      return v;
    }
    b.tokens -= 1.0;
    v.remaining = static_cast<std::int64_t>(std::floor(b.tokens));
    v.reset_s = static_cast<std::int64_t>(std::ceil((limits_.burst - b.tokens) / limits_.rate_per_second));
  }
  ++q.used;
  return v;
}

}  // namespace weft::sandbox::crisp::detail
