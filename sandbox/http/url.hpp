// SPDX-License-Identifier: MIT
#pragma once
// URL helpers of the loopback server: percent-decoding and query-string parsing.

#include <string>
#include <string_view>

#include "sandbox/http/message.hpp"

namespace weft::sandbox::http {

// Decodes %XX escapes; when `plus_is_space`, '+' becomes ' ' (query strings). A malformed escape
// (not two hex digits) is kept literally. Never throws except std::bad_alloc.
std::string percent_decode(std::string_view text, bool plus_is_space = false);

// Encodes every byte outside the RFC 3986 unreserved set as %XX (for building test URLs).
std::string percent_encode(std::string_view text);

// Splits "a=1&b=&c" into {{"a","1"},{"b",""},{"c",""}}, decoding names and values.
Fields parse_query(std::string_view query);

// Case-insensitive ASCII comparison of header names.
bool iequals(std::string_view a, std::string_view b);

}  // namespace weft::sandbox::http
