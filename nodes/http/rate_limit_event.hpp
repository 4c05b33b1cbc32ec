// SPDX-License-Identifier: MIT
#pragma once
// RateLimitEvent: what the HTTP client tells an observer each time it waits or gives up, so that
// rate-limit state is visible ("waiting 2000 ms for api.openai.com because 429 with Retry-After: 2").

#include <chrono>
#include <functional>
#include <string>

namespace weft::http {

struct RateLimitEvent {
  enum class Kind {
    token_bucket,   ///< the host's local token bucket is empty: waiting for a token
    server_window,  ///< an earlier response said the window is spent (Remaining: 0): waiting for its reset
    concurrency,    ///< the host's concurrency cap is reached: queued behind running requests (wait = 0, unknown)
    retry,          ///< the attempt failed (status or connection error): waiting before the next one
    give_up,        ///< no more attempts (or the server asked to wait longer than max_wait)
  };
  Kind kind = Kind::retry;
  std::string host;                   ///< "host" or "host:port" when not the scheme's default
  std::chrono::milliseconds wait{0};  ///< how long the client waits now (0 for give_up)
  int status = 0;                     ///< the status that caused it, 0 for local limits and connection errors
  int attempt = 0;                    ///< attempts made so far (retry, give_up)
  int max_attempts = 0;
  std::string reason;  ///< e.g. "429 with Retry-After: 2", "connection refused" (never a secret)

  /// One line for logs: "http: waiting 2000 ms for api.openai.com because 429 with Retry-After: 2
  /// (attempt 1 of 5)".
  std::string to_string() const;
};

const char* to_string(RateLimitEvent::Kind kind) noexcept;

/// Called synchronously on the client's executor; must not block or throw.
using RateLimitObserver = std::function<void(const RateLimitEvent&)>;

}  // namespace weft::http
