// SPDX-License-Identifier: MIT
#include <charconv>
#include <stdexcept>
#include <string>

#include "sandbox/crisp/options.hpp"

namespace weft::sandbox::crisp {
namespace {

template <class T>
T number(std::string_view key, std::string_view text) {
  T value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) {
    throw std::invalid_argument("fault '" + std::string(key) + "': '" + std::string(text) + "' is not a number");
  }
  return value;
}

double rate(std::string_view key, std::string_view text) {
  // std::from_chars for double is missing on some standard libraries; stod is enough here.
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(std::string(text), &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || v < 0.0 || v > 1.0) {
    throw std::invalid_argument("fault '" + std::string(key) + "': '" + std::string(text) +
                                "' is not a fraction between 0 and 1");
  }
  return v;
}

}  // namespace

Faults parse_faults(std::string_view spec, Faults f) {
  while (!spec.empty()) {
    const auto comma = spec.find(',');
    const std::string_view item = spec.substr(0, comma);
    spec = comma == std::string_view::npos ? std::string_view{} : spec.substr(comma + 1);
    if (item.empty()) continue;
    const auto eq = item.find('=');
    const std::string_view key = item.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? std::string_view("1") : item.substr(eq + 1);
    if (key == "latency_ms")
      f.latency_ms = number<std::int64_t>(key, value);
    else if (key == "error_rate")
      f.error_rate = rate(key, value);
    else if (key == "error_status") {
      f.error_status = number<int>(key, value);
      if (f.error_status < 500 || f.error_status > 599)
        throw std::invalid_argument("fault 'error_status' must be a 5xx status");
    } else if (key == "error_next")
      f.error_next = number<std::int64_t>(key, value);
    else if (key == "drop_rate")
      f.drop_rate = rate(key, value);
    else if (key == "drop_next")
      f.drop_next = number<std::int64_t>(key, value);
    else if (key == "storm_429")
      f.storm_429 = number<std::int64_t>(key, value);
    else if (key == "storm_retry_after")
      f.storm_retry_after = number<std::int64_t>(key, value);
    else if (key == "helpdesk_402")
      f.helpdesk_402 = value == "1" || value == "true";
    else if (key == "seed")
      f.seed = number<std::uint64_t>(key, value);
    else {
      throw std::invalid_argument(
          "unknown fault '" + std::string(key) +
          "' (known: latency_ms, error_rate, error_status, error_next, drop_rate, drop_next, storm_429, "
          "storm_retry_after, helpdesk_402, seed)");
    }
  }
  return f;
}

}  // namespace weft::sandbox::crisp
