// SPDX-License-Identifier: MIT
#pragma once
// Per-token token bucket (429) and per-token daily quota (423). Sandbox behaviour: real Crisp
// discloses only the daily quotas (crisp-api.md §1.6); the bucket stands in for its undisclosed
// per-route and load-balancer limiters and applies to every tier.

#include <cstdint>
#include <map>
#include <string>

#include "sandbox/crisp/options.hpp"

namespace weft::sandbox::crisp::detail {

struct LimitVerdict {
  enum class Kind { allowed, rate_limited, quota_exceeded } kind = Kind::allowed;
  std::int64_t retry_after_s = 0;  // for rate_limited / quota_exceeded
  // Informative RateLimit-* values (delta seconds), for every answer.
  std::int64_t limit = 0;
  std::int64_t remaining = 0;
  std::int64_t reset_s = 0;
  // The bucket as an IETF quota policy: `limit` requests per `window_s` seconds (burst / rate,
  // rounded up, so the advertised pace never exceeds the refill rate).
  std::int64_t window_s = 0;
  bool bucket_enabled = false;
};

// Not thread-safe: the owner serialises calls.
class RateLimiter {
 public:
  void configure(const Limits& limits);  // resets every bucket and quota counter
  const Limits& limits() const { return limits_; }
  // Charges one request of `token` (tier decides the quota) at time `now_ms`.
  LimitVerdict charge(const std::string& token, const std::string& tier, std::int64_t now_ms);

 private:
  struct Bucket {
    double tokens = 0;
    std::int64_t last_ms = 0;
    bool init = false;
  };
  struct Quota {
    std::int64_t day = -1;
    std::int64_t used = 0;
  };
  Limits limits_;
  std::map<std::string, Bucket> buckets_;
  std::map<std::string, Quota> quotas_;
};

}  // namespace weft::sandbox::crisp::detail
