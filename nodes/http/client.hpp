// SPDX-License-Identifier: MIT
#pragma once
// weft::http::Client: an HTTP/1.1 client for Asio coroutines (Beast inside, never in this header).
//
// - http:// and https:// (OpenSSL; certificate and host-name verification on by default, system CA
//   paths, SNI);
// - keep-alive connection pool per host (scheme, host, port);
// - connect and read timeouts; cancellation through the awaiting coroutine's cancellation slot;
// - retries with exponential backoff and jitter on 429, 420, 423, 5xx and connection errors,
//   honouring Retry-After (seconds or HTTP-date), RateLimit-Reset (delta seconds) and the structured
//   RateLimit field (rate_limit_headers.hpp), bounded by RetryPolicy (rate-limited answers by time,
//   failures by count);
// - an overall timeout per request (Request::timeout);
// - HTTP_PROXY / HTTPS_PROXY (CONNECT) / NO_PROXY (proxy.hpp);
// - per-host token bucket and concurrency cap (HostLimits) that also learn from RateLimit-Remaining;
// - every wait and give-up reported to ClientOptions::observer (rate_limit_event.hpp);
// - secrets (Authorization, API keys, secret query parameters) never appear in errors or events.

#include "nodes/http/error.hpp"
#include "nodes/http/message.hpp"
#include "nodes/http/options.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace weft::http {

/// Counters of one client (all hosts), for tests and benches.
struct ClientStats {
  std::uint64_t attempts = 0;            ///< requests written to a connection (retries included)
  std::uint64_t connections_opened = 0;  ///< TCP connections established
  std::uint64_t connections_reused = 0;  ///< attempts sent over a pooled keep-alive connection
  std::uint64_t retries = 0;             ///< attempts after the first
  std::uint64_t local_waits = 0;         ///< waits imposed by the token bucket or a server window
};

/// The upstream rate-limit state one response reported (RateLimit-Limit/-Remaining/-Reset or their
/// equivalents, rate_limit_headers.hpp), for callers that pass it on (the MCP server's results).
struct RateLimitSnapshot {
  std::optional<std::int64_t> limit;               ///< the window's quota, when reported
  std::optional<std::int64_t> remaining;           ///< requests left in the window, when reported
  std::optional<std::chrono::milliseconds> reset;  ///< until the window resets, from `at` (delta, never an epoch)
  std::chrono::steady_clock::time_point at;        ///< when the response arrived (the client's clock)
};

/// A handle to a client; copies share the same pool, limits and counters.
/// Thread safety: request() may be called concurrently from any thread, also when the executor's
/// io_context runs on several threads.
/// Lifetime: pooled connections belong to the executor's io_context; destroy every copy of the
/// client (and finish its requests) before that io_context.
class Client {
 public:
  /// I/O objects (sockets, timers) are created on `executor`. Throws weft::Error(http::error::
  /// tls_failed) if the TLS context cannot be set up (bad extra_ca_pem). Cheap: the TLS context
  /// and the system CA store are loaded on the first HTTPS connection, never for plain HTTP.
  explicit Client(boost::asio::any_io_executor executor, ClientOptions options = {});
  ~Client();
  Client(const Client&);
  Client& operator=(const Client&);

  /// Sends `request`, retrying per the policy, and returns the final response. Any status not
  /// retried (2xx, 3xx, 4xx other than 420/423/429) is returned, not thrown.
  /// Errors: RequestError with http::error: invalid_url (also an unusable proxy URL), connect_failed, timeout
  /// (also Request::timeout passed),
  /// connection_dropped, tls_failed, bad_response (after the retries for those that retry),
  /// rate_limited / server_error when retries are exhausted (the message says host, last status,
  /// attempts), cancelled.
  /// Completes on the awaiting coroutine's executor. Cancellable (terminal cancellation via the
  /// awaiting coroutine's cancellation slot): the connection in use is closed, never pooled.
  boost::asio::awaitable<Response> request(Request request);

  /// The wait before resending after the `failures`-th failed attempt, by this client's rules (the
  /// ones request() itself follows): the server's wait when it gave one (never shortened, spread
  /// by the jitter), else the jittered exponential backoff of RetryPolicy. For callers that drive
  /// retries of non-idempotent requests themselves. Thread-safe.
  std::chrono::nanoseconds retry_delay(int failures, std::optional<std::chrono::milliseconds> server_wait);
  /// Waits `duration` on the client's clock (ClientOptions::clock). Cancellable as request().
  boost::asio::awaitable<void> sleep_for(std::chrono::nanoseconds duration);
  /// The client's retry policy (ClientOptions::retry).
  const RetryPolicy& retry_policy() const noexcept;

  /// Replaces the limits of `host` ("host" or "host:port"); applies to requests not yet started.
  void set_host_limits(const std::string& host, HostLimits limits);

  /// Registers a secret that no error or event of this client may show (besides each request's
  /// own secret headers and query values, which are always masked). Strings shorter than 4
  /// characters are ignored. Thread-safe; applies to requests that fail afterwards.
  void add_secret(std::string_view secret);
  /// Registers every form of a credential pair (the password, user:password, its base64 and the
  /// Basic header value; see redact.hpp secrets_of_credentials()).
  void add_credentials(std::string_view user, std::string_view password);
  /// `text` with every secret registered with this client masked as "[redacted]": the one path
  /// for a caller's own messages built from what a server sent (error bodies, echoes).
  std::string redact(std::string text) const;

  /// Closes every idle pooled connection.
  void close_idle();

  ClientStats stats() const;
  /// What the most recent response (of any host) that carried rate-limit fields said; nullopt
  /// before the first such response. Thread-safe.
  std::optional<RateLimitSnapshot> last_rate_limit() const;

  struct Impl;  // detail/client_impl.hpp

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace weft::http
