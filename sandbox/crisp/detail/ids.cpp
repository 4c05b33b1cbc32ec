// SPDX-License-Identifier: MIT
#include "sandbox/crisp/detail/ids.hpp"

#include <charconv>

namespace weft::sandbox::crisp::detail {
namespace {
bool is_hex_lower(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }
}  // namespace

bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') return false;
    } else if (!is_hex_lower(s[i])) {
      return false;
    }
  }
  return true;
}

bool is_session_id(std::string_view s) {
  constexpr std::string_view prefix = "session_";
  return s.size() == prefix.size() + 36 && s.substr(0, prefix.size()) == prefix && is_uuid(s.substr(prefix.size()));
}

std::string make_uuid(Prng& prng) {
  static constexpr char hex[] = "0123456789abcdef";
  const std::uint64_t a = prng.next();
  const std::uint64_t b = prng.next();
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) out.push_back('-');
    const std::uint64_t word = i < 16 ? a : b;
    unsigned nibble = static_cast<unsigned>((word >> ((15 - (i % 16)) * 4)) & 0xF);
    if (i == 12) nibble = 4;                 // version 4
    if (i == 16) nibble = 8 | (nibble & 3);  // RFC 4122 variant
    out.push_back(hex[nibble]);
  }
  return out;
}

std::string make_session_id(Prng& prng) { return "session_" + make_uuid(prng); }

std::int64_t make_fingerprint(Prng& prng) {
  constexpr std::int64_t lo = 100'000'000'000LL;
  constexpr std::int64_t hi = (1LL << 53) - 1;
  return prng.between(lo, hi);
}

std::optional<std::int64_t> parse_int(std::string_view s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

}  // namespace weft::sandbox::crisp::detail
