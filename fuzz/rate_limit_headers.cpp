// SPDX-License-Identifier: MIT
// Rate-limit header parsing (nodes/http/rate_limit_headers.*): response headers come from a
// server. Input: header lines "name: value". Oracles: parse_rate_limit never throws; an HTTP-date
// that parses formats back to a date that parses to the same instant.

#include "nodes/http/rate_limit_headers.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  weft::http::Headers headers;
  std::size_t start = 0;
  while (start <= input.size()) {
    auto end = input.find('\n', start);
    if (end == std::string_view::npos) end = input.size();
    const std::string_view line = input.substr(start, end - start);
    const auto colon = line.find(':');
    std::string_view name = line.substr(0, colon);
    std::string_view value = colon == std::string_view::npos ? std::string_view{} : line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    headers.emplace_back(std::string(name), std::string(value));
    start = end + 1;
  }
  // A fixed "now" (2026-01-01T00:00:00Z) keeps runs reproducible.
  const std::chrono::system_clock::time_point now{std::chrono::seconds(1767225600)};
  const weft::http::RateLimitInfo info = weft::http::parse_rate_limit(headers, now);
  if (info.wait() && info.wait()->count() < 0) std::abort();
  for (const auto& [name, value] : headers) {
    (void)weft::http::parse_retry_after(value, now);
    (void)weft::http::parse_delta_seconds(value);
    if (const auto date = weft::http::parse_http_date(value)) {
      const auto again = weft::http::parse_http_date(weft::http::format_http_date(*date));
      if (!again || *again != *date) std::abort();
    }
  }
  return 0;
}
