// SPDX-License-Identifier: MIT
#pragma once
// Request and Response of the HTTP client: plain standard types, so callers never include Beast.

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace weft::http {

/// Ordered header fields; duplicates kept in order. Names compare case-insensitively.
using Headers = std::vector<std::pair<std::string, std::string>>;

/// The first value of header `name` (case-insensitive), or nullopt. Views into `headers`.
std::optional<std::string_view> find_header(const Headers& headers, std::string_view name);

/// Called with each piece of a response body as it arrives (chunked encoding already removed).
/// Runs on the client's executor; must not block; an exception it throws aborts the request.
using BodyCallback = std::function<void(std::string_view bytes)>;

/// Asked right before each attempt of a request is sent; an exception it throws ends the request
/// with that exception, and nothing more is sent. See Request::before_send.
using BeforeSend = std::function<boost::asio::awaitable<void>()>;

/// One HTTP request. A plain value.
struct Request {
  std::string method = "GET";  ///< default GET
  /// Absolute URL: http://host[:port]/path?query or https://... Required.
  std::string url;
  /// Extra header fields. Host, Content-Length, User-Agent (unless given) and Connection are set
  /// by the client. Authorization and other secrets are redacted from every error and event.
  Headers headers;
  std::string body;  ///< default empty (no body sent for GET/HEAD when empty)
  /// When set and the final status is 2xx, the body is delivered through it as it arrives instead
  /// of being collected into Response::body. Retries happen only before any byte was delivered.
  BodyCallback on_body;
  /// Overrides ClientOptions::read_timeout for this request. Default: unset.
  std::optional<std::chrono::milliseconds> read_timeout;
  /// Overrides RetryPolicy::max_attempts for this request (1 = no resend after a failure; a
  /// rate-limited answer is still waited out and resent, as the server did not process it).
  /// Default: unset.
  std::optional<int> max_attempts;
  /// Overall time allowed for the request: connecting, every attempt, every wait between attempts
  /// and reading the whole body (streamed or not). Past it the request fails with error::timeout
  /// ("overall timeout"). Default: unset (only the connect and read timeouts apply).
  std::optional<std::chrono::milliseconds> timeout;
  /// When set, awaited right before every attempt's bytes go out (the first and each resend, after
  /// every wait: the host's rate limit, a Retry-After, the backoff, a connect). A side effect uses it
  /// to ask whether its process may still act (the effect journal's lease check): a process paused
  /// in a wait must not resend what the thread's new holder may already have sent. Runs on the
  /// client's executor. Default: unset.
  BeforeSend before_send;
};

/// The final answer to a request (after retries).
struct Response {
  int status = 0;
  std::string reason;              ///< reason phrase as sent
  Headers headers;                 ///< as received
  std::string body;                ///< whole body (empty when Request::on_body consumed it)
  int attempts = 1;                ///< how many times the request was sent
  bool reused_connection = false;  ///< the last attempt went over a kept-alive connection

  std::optional<std::string_view> header(std::string_view name) const { return find_header(headers, name); }
};

}  // namespace weft::http
