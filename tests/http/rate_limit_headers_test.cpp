// SPDX-License-Identifier: MIT
#include "nodes/http/rate_limit_headers.hpp"

#include <doctest/doctest.h>

#include <chrono>

using namespace std::chrono;
using weft::http::Headers;

namespace {
const system_clock::time_point kNow = sys_days{year{2026} / November / 24} + hours{10};
}

TEST_CASE("an IMF-fixdate, an RFC 850 date and an asctime date all parse to the same instant") {
  const auto expected = sys_days{year{1994} / November / 6} + hours{8} + minutes{49} + seconds{37};
  CHECK(weft::http::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT") == expected);
  CHECK(weft::http::parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT") == expected);
  CHECK(weft::http::parse_http_date("Sun Nov  6 08:49:37 1994") == expected);
}

TEST_CASE("malformed HTTP dates are rejected") {
  for (const char* bad : {"", "yesterday", "Sun, 06 Nov 1994 08:49:37", "Sun, 31 Feb 2026 08:00:00 GMT",
                          "Sun, 06 Nov 1994 25:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 GMT junk", "1732440000"}) {
    CAPTURE(bad);
    CHECK_FALSE(weft::http::parse_http_date(bad).has_value());
  }
}

TEST_CASE("format_http_date writes an IMF-fixdate that parses back") {
  const auto t = sys_days{year{2026} / January / 1} + hours{13} + minutes{5} + seconds{9};
  CHECK(weft::http::format_http_date(t) == "Thu, 01 Jan 2026 13:05:09 GMT");
  CHECK(weft::http::parse_http_date(weft::http::format_http_date(t)) == t);
}

TEST_CASE("Retry-After is read as delay-seconds or as an HTTP date relative to now") {
  CHECK(weft::http::parse_retry_after("120", kNow) == milliseconds(120'000));
  CHECK(weft::http::parse_retry_after(" 0 ", kNow) == milliseconds(0));
  CHECK(weft::http::parse_retry_after(weft::http::format_http_date(kNow + seconds(30)), kNow) == milliseconds(30'000));
  CHECK(weft::http::parse_retry_after(weft::http::format_http_date(kNow - seconds(30)), kNow) == milliseconds(0));
  CHECK_FALSE(weft::http::parse_retry_after("-5", kNow).has_value());
  CHECK_FALSE(weft::http::parse_retry_after("1.5", kNow).has_value());
  CHECK_FALSE(weft::http::parse_retry_after("soon", kNow).has_value());
}

TEST_CASE(
    "rate-limit headers parse as a table: Retry-After wins, resets are delta seconds, malformed fields are ignored") {
  struct Row {
    const char* name;
    Headers headers;
    std::optional<milliseconds> wait;
    std::optional<std::int64_t> remaining;
  };
  const Row rows[] = {
      {"nothing", {}, std::nullopt, std::nullopt},
      {"Retry-After seconds", {{"Retry-After", "7"}}, milliseconds(7000), std::nullopt},
      {"Retry-After date",
       {{"retry-after", weft::http::format_http_date(kNow + seconds(12))}},
       milliseconds(12'000),
       std::nullopt},
      {"RateLimit-Reset is delta seconds",
       {{"RateLimit-Reset", "3"}, {"RateLimit-Remaining", "0"}},
       milliseconds(3000),
       0},
      {"a huge RateLimit-Reset is still delta seconds, never an epoch",
       {{"RateLimit-Reset", "1732440000"}},
       milliseconds(1732440000LL * 1000),
       std::nullopt},
      {"Retry-After wins over RateLimit-Reset",
       {{"RateLimit-Reset", "9"}, {"Retry-After", "2"}},
       milliseconds(2000),
       std::nullopt},
      {"structured draft-07 dictionary", {{"RateLimit", "limit=100, remaining=50, reset=5"}}, milliseconds(5000), 50},
      {"structured draft-10 items: the lowest remaining binds",
       {{"RateLimit", "\"default\";r=50;t=30, \"burst\";r=0;t=2"}},
       milliseconds(2000),
       0},
      {"RateLimit-Reset wins over the structured field",
       {{"RateLimit-Reset", "4"}, {"RateLimit", "\"d\";r=1;t=60"}},
       milliseconds(4000),
       1},
      {"malformed reset ignored",
       {{"RateLimit-Reset", "soon"}, {"RateLimit-Remaining", "x"}},
       std::nullopt,
       std::nullopt},
      {"malformed structured parameter ignored", {{"RateLimit", "\"d\";r=abc;t=3"}}, milliseconds(3000), std::nullopt},
      {"X-RateLimit-Reset is not read as a delay",
       {{"X-RateLimit-Reset", "1732440000"}, {"X-RateLimit-Remaining", "0"}},
       std::nullopt,
       0},
      {"OpenAI's duration resets",
       {{"x-ratelimit-remaining-requests", "0"}, {"x-ratelimit-reset-requests", "6m0s"}},
       milliseconds(360'000),
       0},
      {"OpenAI's millisecond resets", {{"x-ratelimit-reset-requests", "20ms"}}, milliseconds(20), std::nullopt},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    const auto info = weft::http::parse_rate_limit(row.headers, kNow);
    CHECK(info.wait() == row.wait);
    CHECK(info.remaining == row.remaining);
  }
}

TEST_CASE("the wait source names the header that decided the wait") {
  const auto info = weft::http::parse_rate_limit({{"RateLimit-Reset", "9"}, {"Retry-After", "2"}}, kNow);
  CHECK(info.wait_source == "Retry-After: 2");
  CHECK(info.reset == milliseconds(9000));
  const auto reset_only = weft::http::parse_rate_limit({{"RateLimit-Reset", "9"}}, kNow);
  CHECK(reset_only.wait_source == "RateLimit-Reset: 9");
}

// Found by fuzz/rate_limit_headers: a date before 1678 overflowed system_clock's nanoseconds, and a
// huge delta overflowed milliseconds (signed overflow: garbage waits, UB).
TEST_CASE("a date outside system_clock's range is malformed and a huge delay is capped, not overflowed") {
  CHECK_FALSE(weft::http::parse_http_date("Sun Nov  6 08:49:38 1497").has_value());
  CHECK_FALSE(weft::http::parse_http_date("Sun, 06 Nov 9999 08:49:37 GMT").has_value());
  CHECK(weft::http::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").has_value());
  const seconds cap(10'000'000'000LL);
  CHECK(weft::http::parse_delta_seconds("9223372036854775807") == cap);
  CHECK(weft::http::parse_retry_after("9223372036854775807", kNow) == duration_cast<milliseconds>(cap));
  CHECK(weft::http::parse_rate_limit({{"RateLimit", "\"d\";r=0;t=9223372036854775807"}}, kNow).wait() ==
        duration_cast<milliseconds>(cap));
  CHECK(weft::http::parse_rate_limit({{"x-ratelimit-reset-requests", "99999999999999999999h"}}, kNow).wait() ==
        duration_cast<milliseconds>(cap));
}
