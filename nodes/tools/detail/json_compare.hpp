// SPDX-License-Identifier: MIT
#pragma once
// How JSON Schema compares instance values (used by the schema compiler and validator): equality
// by value, integral numbers, multipleOf, and numbers printed as a person writes them. Private to
// nodes/tools.

#include <boost/json/value.hpp>

#include <string>

namespace weft::detail {

/// JSON equality as JSON Schema defines it: numbers by value (1 == 1.0), objects regardless of
/// member order.
bool json_equal(const boost::json::value& a, const boost::json::value& b) noexcept;

/// A number as a person writes it: "3", "-2", "0.1", "1e+300" (Boost.JSON would print 1E-1).
std::string number_text(const boost::json::value& number);

/// True for an integer, or a finite double with no fractional part (2.0).
bool is_integral(const boost::json::value& v) noexcept;

/// A number (any of Boost.JSON's three kinds) as a long double, for comparisons with bounds.
long double as_long_double(const boost::json::value& v) noexcept;

/// True when the number `x` is a multiple of the positive number `m` (exactly for integers; for
/// decimals within the rounding binary fractions bring, so 0.3 is a multiple of 0.1).
bool is_multiple(const boost::json::value& x, const boost::json::value& m) noexcept;

}  // namespace weft::detail
