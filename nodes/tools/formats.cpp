// SPDX-License-Identifier: MIT
#include "nodes/tools/formats.hpp"

#include <arpa/inet.h>

#include <array>
#include <cstddef>
#include <string>

namespace weft::formats {
namespace {

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
bool is_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_hex(char c) noexcept { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// Reads exactly `n` digits at `pos` into `out`; false if any is not a digit.
bool read_digits(std::string_view s, std::size_t pos, std::size_t n, int& out) noexcept {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!is_digit(s[pos + i])) return false;
    out = out * 10 + (s[pos + i] - '0');
  }
  return true;
}

bool is_leap(int year) noexcept { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int days_in_month(int year, int month) noexcept {
  static constexpr std::array<int, 12> days{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : days[static_cast<std::size_t>(month - 1)];
}

// time-offset = "Z" / ("+" / "-") HH ":" MM
bool is_offset(std::string_view s) noexcept {
  if (s.size() == 1) return s[0] == 'Z' || s[0] == 'z';
  if (s.size() != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':') return false;
  int hh = 0;
  int mm = 0;
  return read_digits(s, 1, 2, hh) && read_digits(s, 4, 2, mm) && hh <= 23 && mm <= 59;
}

bool is_atext(char c) noexcept {
  if (is_alpha(c) || is_digit(c)) return true;
  constexpr std::string_view specials = "!#$%&'*+-/=?^_`{|}~";
  return specials.find(c) != std::string_view::npos;
}

bool is_uri_char(char c) noexcept {
  if (is_alpha(c) || is_digit(c)) return true;
  // unreserved, gen-delims and sub-delims of RFC 3986 ('%' is checked separately).
  constexpr std::string_view allowed = "-._~:/?#[]@!$&'()*+,;=";
  return allowed.find(c) != std::string_view::npos;
}

}  // namespace

bool is_date(std::string_view s) noexcept {
  int year = 0;
  int month = 0;
  int day = 0;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  if (!read_digits(s, 0, 4, year) || !read_digits(s, 5, 2, month) || !read_digits(s, 8, 2, day)) return false;
  return month >= 1 && month <= 12 && day >= 1 && day <= days_in_month(year, month);
}

bool is_time(std::string_view s) noexcept {
  int hh = 0;
  int mm = 0;
  int ss = 0;
  if (s.size() < 9 || s[2] != ':' || s[5] != ':') return false;
  if (!read_digits(s, 0, 2, hh) || !read_digits(s, 3, 2, mm) || !read_digits(s, 6, 2, ss)) return false;
  if (hh > 23 || mm > 59 || ss > 60) return false;
  std::size_t pos = 8;
  if (s[pos] == '.') {
    const std::size_t first = ++pos;
    while (pos < s.size() && is_digit(s[pos])) ++pos;
    if (pos == first) return false;
  }
  return is_offset(s.substr(pos));
}

bool is_date_time(std::string_view s) noexcept {
  if (s.size() < 20 || (s[10] != 'T' && s[10] != 't')) return false;
  return is_date(s.substr(0, 10)) && is_time(s.substr(11));
}

bool is_hostname(std::string_view s) noexcept {
  if (s.empty() || s.size() > 253) return false;
  std::size_t label = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == '.') {
      if (label == 0 || label > 63 || s[i - 1] == '-') return false;
      label = 0;
      continue;
    }
    const char c = s[i];
    if (c == '-') {
      if (label == 0) return false;
    } else if (!is_alpha(c) && !is_digit(c)) {
      return false;
    }
    ++label;
  }
  return true;
}

bool is_email(std::string_view s) noexcept {
  const std::size_t at = s.rfind('@');
  if (at == std::string_view::npos || at == 0 || at > 64) return false;
  const std::string_view local = s.substr(0, at);
  const std::string_view domain = s.substr(at + 1);
  // dot-atom: atext runs separated by single dots, none at either end.
  if (local.front() == '.' || local.back() == '.') return false;
  for (std::size_t i = 0; i < local.size(); ++i) {
    if (local[i] == '.') {
      if (local[i + 1] == '.') return false;
    } else if (!is_atext(local[i])) {
      return false;
    }
  }
  if (domain.size() > 2 && domain.front() == '[' && domain.back() == ']')
    return is_ipv4(domain.substr(1, domain.size() - 2));
  return is_hostname(domain);
}

bool is_uri(std::string_view s) noexcept {
  const std::size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0 || !is_alpha(s[0])) return false;
  for (std::size_t i = 1; i < colon; ++i) {
    const char c = s[i];
    if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.') return false;
  }
  for (std::size_t i = colon + 1; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size() || !is_hex(s[i + 1]) || !is_hex(s[i + 2])) return false;
      i += 2;
    } else if (!is_uri_char(c)) {
      return false;
    }
  }
  return true;
}

bool is_uuid(std::string_view s) noexcept {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool dash_position = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash_position ? s[i] != '-' : !is_hex(s[i])) return false;
  }
  return true;
}

bool is_ipv4(std::string_view s) noexcept {
  int parts = 0;
  std::size_t pos = 0;
  while (true) {
    const std::size_t first = pos;
    int value = 0;
    while (pos < s.size() && is_digit(s[pos]) && pos - first < 3) value = value * 10 + (s[pos++] - '0');
    const std::size_t length = pos - first;
    if (length == 0 || value > 255 || (length > 1 && s[first] == '0')) return false;
    ++parts;
    if (pos == s.size()) return parts == 4;
    if (s[pos] != '.' || parts == 4) return false;
    ++pos;
  }
}

bool is_ipv6(std::string_view s) noexcept {
  // inet_pton implements RFC 4291's textual forms exactly; it needs a terminated string.
  if (s.empty() || s.size() > 45) return false;
  std::array<char, 46> text{};
  s.copy(text.data(), s.size());
  std::array<unsigned char, 16> address{};
  return ::inet_pton(AF_INET6, text.data(), address.data()) == 1;
}

const FormatChecker* builtin(std::string_view name) noexcept {
  static const std::map<std::string, FormatChecker, std::less<>> checkers{
      {"date-time", is_date_time}, {"date", is_date},         {"time", is_time},
      {"email", is_email},         {"hostname", is_hostname}, {"uri", is_uri},
      {"uuid", is_uuid},           {"ipv4", is_ipv4},         {"ipv6", is_ipv6},
  };
  const auto found = checkers.find(name);
  return found == checkers.end() ? nullptr : &found->second;
}

}  // namespace weft::formats
