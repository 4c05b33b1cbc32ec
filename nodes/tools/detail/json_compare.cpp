// SPDX-License-Identifier: MIT
// How JSON Schema compares instance values: equality by value, integral numbers, multipleOf, and
// numbers printed as a person writes them.
#include "nodes/tools/detail/json_compare.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>

namespace weft::detail {

namespace json = boost::json;

bool is_integral(const json::value& v) noexcept {
  if (v.is_int64() || v.is_uint64()) return true;
  if (!v.is_double()) return false;
  const double d = v.get_double();
  return std::isfinite(d) && std::floor(d) == d;
}

long double as_long_double(const json::value& v) noexcept {
  if (v.is_int64()) return static_cast<long double>(v.get_int64());
  if (v.is_uint64()) return static_cast<long double>(v.get_uint64());
  return v.get_double();
}

bool json_equal(const json::value& a, const json::value& b) noexcept {
  if (a.is_number() && b.is_number()) {
    if ((a.is_int64() || a.is_uint64()) && (b.is_int64() || b.is_uint64())) {
      if (a.is_int64() && a.get_int64() < 0) return b.is_int64() && a.get_int64() == b.get_int64();
      if (b.is_int64() && b.get_int64() < 0) return false;
      return a.to_number<std::uint64_t>() == b.to_number<std::uint64_t>();
    }
    return as_long_double(a) == as_long_double(b);
  }
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case json::kind::null: return true;
    case json::kind::bool_: return a.get_bool() == b.get_bool();
    case json::kind::string: return a.get_string() == b.get_string();
    case json::kind::array: {
      const json::array& x = a.get_array();
      const json::array& y = b.get_array();
      if (x.size() != y.size()) return false;
      for (std::size_t i = 0; i < x.size(); ++i)
        if (!json_equal(x[i], y[i])) return false;
      return true;
    }
    case json::kind::object: {
      const json::object& x = a.get_object();
      const json::object& y = b.get_object();
      if (x.size() != y.size()) return false;
      for (const auto& member : x) {
        const json::value* other = y.if_contains(member.key());
        if (other == nullptr || !json_equal(member.value(), *other)) return false;
      }
      return true;
    }
    default: return false;  // numbers handled above
  }
}

std::string number_text(const json::value& number) {
  if (number.is_int64()) return std::to_string(number.get_int64());
  if (number.is_uint64()) return std::to_string(number.get_uint64());
  std::array<char, 32> buffer{};
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), number.get_double());
  return std::string(buffer.data(), result.ptr);
}

bool is_multiple(const json::value& x, const json::value& m) noexcept {
  if ((x.is_int64() || x.is_uint64()) && (m.is_int64() || m.is_uint64())) {
    const std::uint64_t divisor = m.to_number<std::uint64_t>();  // > 0, checked at compile time
    const std::uint64_t magnitude = x.is_int64() && x.get_int64() < 0
                                        ? static_cast<std::uint64_t>(-(x.get_int64() + 1)) + 1
                                        : x.to_number<std::uint64_t>();
    return magnitude % divisor == 0;
  }
  const long double quotient = as_long_double(x) / as_long_double(m);
  if (!std::isfinite(quotient)) return false;
  // Decimal fractions are inexact in binary (0.3 / 0.1 = 2.9999999999999996): allow that rounding.
  return std::fabs(quotient - std::round(quotient)) <= 1e-9L;
}

}  // namespace weft::detail
