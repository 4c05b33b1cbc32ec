// SPDX-License-Identifier: MIT
#pragma once
// Per-host state of the HTTP client (private): limits, token bucket, the server's window, the
// concurrency semaphore and the pool of idle keep-alive connections.

#include "nodes/http/detail/semaphore.hpp"
#include "nodes/http/options.hpp"
#include "nodes/http/rate_limit_headers.hpp"

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace weft::http::detail {

struct Connection;

/// What must happen before the next request to a host may start.
struct Admission {
  std::chrono::nanoseconds wait{0};
  RateLimitEvent::Kind kind = RateLimitEvent::Kind::token_bucket;
  std::string reason;
};

/// Thread safety: every member is thread-safe.
class HostState {
 public:
  HostState(std::string host, HostLimits limits, std::chrono::steady_clock::time_point now);

  const std::string& host() const noexcept { return host_; }
  Semaphore& semaphore() noexcept { return *semaphore_; }
  HostLimits limits() const;
  void set_limits(HostLimits limits);

  /// Reserves the next start time: returns a zero wait when the request may start now. A token
  /// is taken at once (the bucket may go into debt, which orders concurrent callers fairly); a
  /// server window (Remaining: 0 until reset, or a 429's wait) is not consumed: call again after
  /// waiting for it.
  Admission admit(std::chrono::steady_clock::time_point now);

  /// Learns from a response's rate-limit headers (RateLimit-Remaining 0 -> window until reset;
  /// remaining > 0 caps the local tokens).
  void learn(const RateLimitInfo& info, std::chrono::steady_clock::time_point now);
  /// Follows the pace the server advertises on an answer that is not rate-limited: its quota /
  /// window (RateLimit-Policy, or the structured RateLimit field's `w`) becomes the bucket's rate,
  /// bounded by HostLimits::max_rate_factor around the configured rate, and never above what a
  /// rate-limited answer taught. The token_bucket waits' reasons then name the new pace.
  void follow_policy(const RateLimitInfo& info, std::chrono::steady_clock::time_point now);
  /// Holds every request to the host until now + wait (a 429/420/423 with a server-given wait).
  void block_for(std::chrono::nanoseconds wait, std::chrono::steady_clock::time_point now, std::string reason);

  /// A rate-limited answer (429/420/423): adapts to the server's pace. When the answer says its
  /// quota and window (RateLimit-Limit with RateLimit-Policy's w, or with the reset of an exhausted
  /// window), the bucket's rate is lowered to quota / window (never raised above the configured
  /// rate) and its burst to the quota; a pace raised by follow_policy() falls back to the
  /// configured rate and stays there; the concurrency cap is halved (not below 2). Returns a
  /// description of what changed ("" when nothing did), for the observer.
  std::string on_rate_limited(const RateLimitInfo& info, std::chrono::steady_clock::time_point now);
  /// Any answer that is not rate-limited: after as many such answers as the current cap, the
  /// concurrency cap grows by one again (up to the configured one). The learned rate stays.
  void on_answer();
  /// The pace applied now: the configured rate moved by the advertised pace, lowered by what
  /// rate-limited answers taught (0 = none).
  double effective_rate() const;
  /// The concurrency cap applied now (0 = unlimited).
  std::size_t effective_concurrency() const;

  /// An idle pooled connection not idle longer than `max_idle`, or null.
  std::shared_ptr<Connection> take_idle(std::chrono::steady_clock::time_point now, std::chrono::nanoseconds max_idle);
  /// Returns a connection to the pool (dropped when the pool holds `max_idle_count` already).
  void put_idle(std::shared_ptr<Connection> connection, std::size_t max_idle_count);
  /// Takes every idle connection out of the pool (to close them).
  std::vector<std::shared_ptr<Connection>> drain_idle();

 private:
  void refill_locked(std::chrono::steady_clock::time_point now);
  double rate_locked() const;
  double capacity_locked() const;

  const std::string host_;
  std::shared_ptr<Semaphore> semaphore_;
  mutable std::mutex mutex_;
  HostLimits limits_;
  double tokens_;
  std::chrono::steady_clock::time_point refilled_at_;
  std::chrono::steady_clock::time_point blocked_until_{};
  std::string block_reason_;
  double advertised_rate_ = 0;   // follow_policy()'s bounded pace; 0 = none advertised
  double learned_rate_ = 0;      // the ceiling rate-limited answers taught; 0 = nothing learned
  double learned_burst_ = 0;     // 0 = nothing learned
  std::size_t concurrency_ = 0;  // the adapted cap (0 = unlimited)
  std::size_t answers_since_change_ = 0;
  struct Idle {
    std::shared_ptr<Connection> connection;
    std::chrono::steady_clock::time_point since;
  };
  std::vector<Idle> idle_;
};

}  // namespace weft::http::detail
