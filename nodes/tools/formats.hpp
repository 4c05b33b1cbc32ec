// SPDX-License-Identifier: MIT
#pragma once
// The built-in `format` checks of JsonSchema. Each takes the whole string and returns whether it
// is in the format; none allocates. Thread safety: pure functions.

#include "nodes/tools/json_schema.hpp"

#include <string_view>

namespace weft::formats {

/// RFC 3339 date-time: "2026-11-24T09:30:00Z", "2026-11-24t09:30:00.5+01:00". Checks ranges
/// (month, day of month incl. leap years, hour, minute, second up to 60 for leap seconds, offset).
bool is_date_time(std::string_view text) noexcept;
/// RFC 3339 full-date: "2026-02-28".
bool is_date(std::string_view text) noexcept;
/// RFC 3339 full-time: "09:30:00Z", "09:30:00.25-05:00".
bool is_time(std::string_view text) noexcept;
/// A practical addr-spec: dot-atom local part (RFC 5322 atext) "@" a hostname or an IPv4 literal
/// in brackets. Quoted local parts and comments are rejected.
bool is_email(std::string_view text) noexcept;
/// RFC 1123 hostname: dot-separated labels of letters, digits and inner hyphens, each 1..63
/// characters, 253 in all; a trailing dot is rejected.
bool is_hostname(std::string_view text) noexcept;
/// An absolute URI (RFC 3986): a scheme ("https", "mailto", ...), ":", then only characters URIs
/// allow, with well-formed %HH escapes. Structure beyond that is not parsed.
bool is_uri(std::string_view text) noexcept;
/// RFC 4122 textual form, any version: 8-4-4-4-12 hexadecimal digits.
bool is_uuid(std::string_view text) noexcept;
/// Dotted-quad IPv4 with no leading zeros: "192.168.0.1".
bool is_ipv4(std::string_view text) noexcept;
/// RFC 4291 textual IPv6, incl. "::" compression and an embedded IPv4 tail.
bool is_ipv6(std::string_view text) noexcept;

/// The built-in checker named `name` (date-time, date, time, email, hostname, uri, uuid, ipv4,
/// ipv6), or nullptr.
const FormatChecker* builtin(std::string_view name) noexcept;

}  // namespace weft::formats
