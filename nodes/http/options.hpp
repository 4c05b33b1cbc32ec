// SPDX-License-Identifier: MIT
#pragma once
// Options of the HTTP client: timeouts, retry policy, per-host rate limits, TLS, pooling.

#include "engine/clock.hpp"
#include "nodes/http/proxy.hpp"
#include "nodes/http/rate_limit_event.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace weft::http {

/// When and how long to retry. Retried: 429, 420, 423, 5xx answers and connection errors
/// (refused, reset, dropped, timeout). Every other status is returned to the caller as is.
///
/// A rate-limited answer (429, 420, 423) is a pace, not a failure: the server did not process the
/// request, so it is retried (also when max_attempts is 1) and does not count against
/// max_attempts; the time spent waiting on such answers is bounded by max_rate_limit_wait instead.
struct RetryPolicy {
  /// Attempts that failed for real (5xx, connection errors), including the first; 1 = never
  /// resend after a failure. Rate-limited answers are not counted. Default 5.
  int max_attempts = 5;
  /// Longest total time one request may spend waiting on rate-limited answers before it gives up
  /// with error::rate_limited. Default 300 s.
  std::chrono::milliseconds max_rate_limit_wait{300'000};
  /// Backoff before the 2nd attempt when the server gives no wait; doubles (multiplier) each time.
  /// Default 500 ms.
  std::chrono::milliseconds initial_backoff{500};
  /// Growth factor of the backoff. Default 2.
  double multiplier = 2.0;
  /// Ceiling of the computed backoff. Default 30 s.
  std::chrono::milliseconds max_backoff{30'000};
  /// Fraction of the backoff drawn at random ("equal jitter"): wait = b * (1 - jitter * U[0,1)).
  /// Server-given waits (Retry-After, reset) are never shortened: they are lengthened by up to
  /// jitter * min(wait, 1 s), so that requests told the same wait do not return in lockstep.
  /// 0 = none. Default 0.5.
  double jitter = 0.5;
  /// The longest single wait the client accepts; a server asking for more makes it give up at once
  /// with error::rate_limited (rather than block a run for an hour). Default 120 s.
  std::chrono::milliseconds max_wait{120'000};
};

/// Client-side limits for one host, so a fan-out does not become a 429 storm.
struct HostLimits {
  /// Token-bucket refill rate in requests per second; 0 = no local rate limit. Default 0.
  double rate = 0.0;
  /// Bucket capacity (requests that may start at once after idling). Default 1 (values < 1 act as 1).
  double burst = 1.0;
  /// Most requests in flight to the host at once; 0 = unlimited. Default 32.
  std::size_t max_concurrency = 32;
  /// Also obey the server's RateLimit-Remaining/-Reset: with remaining 0, hold every request to the
  /// host until the reset, and never hold more local tokens than the server says remain; on a
  /// rate-limited answer that gives its quota and window, lower the rate to quota / window.
  /// (A rate-limited answer always halves the concurrency cap, which later answers give back.)
  /// Also follow the pace the server advertises on answers that are not rate-limited (quota /
  /// window of RateLimit-Policy or the structured RateLimit field), upward as well as downward,
  /// within max_rate_factor of `rate`; a rate-limited answer while above `rate` undoes the raise
  /// for good (until the limits are set again). Default true.
  bool learn_from_headers = true;
  /// How far an advertised pace may move the rate: to at most rate × this and at least
  /// rate / this, so a wrong or hostile header can neither flood the server nor stall a run.
  /// Values < 1 act as 1 (never follow the advertised pace). Ignored when `rate` is 0. Default 4.
  double max_rate_factor = 4.0;
};

struct ClientOptions {
  /// Time allowed for resolve + TCP connect + TLS handshake. Default 10 s.
  std::chrono::milliseconds connect_timeout{10'000};
  /// Longest silence while sending or waiting for response bytes (per read, not total). Default 120 s.
  std::chrono::milliseconds read_timeout{120'000};
  RetryPolicy retry;
  /// Limits for hosts without an entry in host_limits. Default: no rate limit, 32 in flight.
  HostLimits default_limits;
  /// Limits per host, keyed "host" or "host:port" (the latter wins). Default none.
  std::map<std::string, HostLimits> host_limits;
  /// Idle keep-alive connections kept per host. Default 16.
  std::size_t max_idle_per_host = 16;
  /// A pooled connection idle longer than this is closed instead of reused. Default 30 s.
  std::chrono::milliseconds idle_timeout{30'000};
  /// Verify the server certificate chain and host name (HTTPS). Default true. Turning it off is
  /// for experiments only.
  bool verify_peer = true;
  /// Extra trusted CA certificates, PEM text, in addition to the system store. Default none.
  std::string extra_ca_pem;
  /// Use the system CA paths (OpenSSL's default verify paths). Default true.
  bool use_system_ca = true;
  /// User-Agent sent when the request has none. Default "weft/0.1".
  std::string user_agent = "weft/0.1";
  /// Largest response body accepted. Default 64 MiB.
  std::size_t body_limit = 64u * 1024u * 1024u;
  /// Time source and sleeper. Default: system_clock().
  std::shared_ptr<Clock> clock;
  /// Seed of the jitter draws; 0 (default) = seeded from std::random_device.
  std::uint64_t jitter_seed = 0;
  /// Told about every rate-limit wait and give-up. Default none.
  RateLimitObserver observer;
  /// Proxies. Default (nullopt): ProxySettings::from_env() when the client is constructed.
  /// ProxySettings{} sends every request direct.
  std::optional<ProxySettings> proxy;
  /// Secrets never to let out in an error or event besides those of each request (its secret
  /// headers and query values), e.g. the parts of a credential a server might echo. More can be
  /// added later with Client::add_secret(). Default none.
  std::vector<std::string> secrets;
};

}  // namespace weft::http
