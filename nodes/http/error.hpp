// SPDX-License-Identifier: MIT
#pragma once
// Errors of the HTTP client (nodes/http/).
//
// Thrown as http::RequestError (a weft::Error) with one of these codes. what() names the method,
// host and path, the last status (if any) and the number of attempts, and says what to do. It never
// contains an Authorization header, an API key or a query-string secret (see redact.hpp).

#include "engine/error.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <system_error>

namespace weft::http {

enum class error {
  /// The URL is not absolute http:// or https://, or has no host or a bad port.
  invalid_url = 1,
  /// The host name could not be resolved, or every address refused or failed the TCP connect.
  connect_failed,
  /// Connecting (TCP + TLS) took longer than connect_timeout, the server sent nothing for
  /// read_timeout while a response was expected, or the request's overall Request::timeout passed.
  timeout,
  /// The connection was closed or reset before the whole response arrived (including a stream cut
  /// mid-way).
  connection_dropped,
  /// TLS failed: handshake error or certificate verification failure (expired, self-signed,
  /// wrong host name).
  tls_failed,
  /// The server kept answering 429, 420 or 423 for longer than RetryPolicy::max_rate_limit_wait,
  /// or asked to wait longer than RetryPolicy::max_wait.
  rate_limited,
  /// The server still answered 5xx after the last attempt.
  server_error,
  /// The response is not valid HTTP/1.1, or its body exceeds ClientOptions::body_limit.
  bad_response,
  /// The request was cancelled through the awaiting coroutine's cancellation slot.
  cancelled,
};

const std::error_category& error_category() noexcept;
inline std::error_code make_error_code(error e) noexcept { return {static_cast<int>(e), error_category()}; }

/// The exception the client throws. status() is the last HTTP status received (0 when none),
/// attempts() how many times the request was sent, host() the host it was sent to, server_wait()
/// how long the last answer asked to wait before trying again (Retry-After, retry-after-ms,
/// RateLimit reset), when it said.
class RequestError : public weft::Error {
 public:
  RequestError(error code, std::string host, int status, int attempts, const std::string& message,
               std::optional<std::chrono::milliseconds> server_wait = std::nullopt)
      : weft::Error(make_error_code(code), message),
        host_(std::move(host)),
        status_(status),
        attempts_(attempts),
        server_wait_(server_wait) {}
  const std::string& host() const noexcept { return host_; }
  int status() const noexcept { return status_; }
  int attempts() const noexcept { return attempts_; }
  std::optional<std::chrono::milliseconds> server_wait() const noexcept { return server_wait_; }

 private:
  std::string host_;
  int status_;
  int attempts_;
  std::optional<std::chrono::milliseconds> server_wait_;
};

}  // namespace weft::http

template <>
struct std::is_error_code_enum<weft::http::error> : std::true_type {};
