// SPDX-License-Identifier: MIT
#pragma once
// Reading a server's rate-limit signals from response headers (../shared/reference/crisp-api.md §5).
//
// Precedence for "how long to wait": retry-after-ms (milliseconds, as OpenAI and Azure send it) wins
// over Retry-After (delay-seconds or HTTP-date), which wins over every reset
// value; then RateLimit-Reset (delta seconds, never an epoch); then the reset of the structured
// RateLimit field (`reset=N` of draft -07, `t=N` of drafts -08..-10); then OpenAI's
// x-ratelimit-reset-requests duration ("1s", "6m0s", "20ms"). X-RateLimit-Reset is NOT read as a
// delay (vendors use it as an epoch). Malformed fields are ignored, as the drafts require.

#include "nodes/http/message.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace weft::http {

/// Parses an HTTP-date: IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), and the obsolete RFC 850
/// ("Sunday, 06-Nov-94 08:49:37 GMT") and asctime ("Sun Nov  6 08:49:37 1994") forms. nullopt
/// when malformed (bad day/month/time, trailing garbage, a year outside 1900..2200).
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text);

/// Formats `time` as an IMF-fixdate (for tests and servers).
std::string format_http_date(std::chrono::system_clock::time_point time);

/// Retry-After as a delay from `now`: "120" -> 120 s; an HTTP-date -> date - now (0 when in the
/// past). nullopt when malformed (negative, fractional, garbage).
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now);

/// A delta-seconds value ("5"): non-negative integer only. nullopt otherwise. Every wait read from
/// a header is capped at 10^10 s (about 317 years), which milliseconds can hold.
std::optional<std::chrono::seconds> parse_delta_seconds(std::string_view value);

/// What the headers of one response say about the server's rate limit.
struct RateLimitInfo {
  std::optional<std::chrono::milliseconds> retry_after;  ///< from retry-after-ms, else Retry-After
  std::optional<std::chrono::milliseconds> reset;        ///< from the first reset source in precedence order
  std::optional<std::int64_t> remaining;                 ///< requests left in the window (lowest reported)
  std::optional<std::int64_t> limit;                     ///< window quota, when reported
  /// The quota's window, from RateLimit-Policy's (or the structured RateLimit field's) `w`.
  std::optional<std::chrono::milliseconds> window;
  std::string wait_source;  ///< the header that gave wait(), e.g. "Retry-After: 2" ("" when none)

  /// How long the server asks to wait: retry_after if present, else reset; nullopt when neither.
  std::optional<std::chrono::milliseconds> wait() const { return retry_after ? retry_after : reset; }
};

/// Reads retry-after-ms, Retry-After, RateLimit-Policy, RateLimit-Limit/-Remaining/-Reset, RateLimit (structured), X-RateLimit-Limit
/// and -Remaining, and OpenAI's x-ratelimit-{limit,remaining,reset}-requests. Never throws.
RateLimitInfo parse_rate_limit(const Headers& headers, std::chrono::system_clock::time_point now);

}  // namespace weft::http
