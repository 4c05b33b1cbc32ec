// SPDX-License-Identifier: MIT
#pragma once
// Deterministic ids: a 128-bit non-cryptographic hash of a few strings, as 32 hex digits.
// Stable across processes, platforms and compilers (no std::hash), so that a task re-created
// after a crash gets the same id.

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace weft::detail {

class IdHasher {
 public:
  /// Adds one field; fields are length-prefixed so ("ab","c") and ("a","bc") differ.
  IdHasher& add(std::string_view field) noexcept {
    mix(field.size());
    const auto* bytes = reinterpret_cast<const unsigned char*>(field.data());
    std::size_t i = 0;
    for (; i + 8 <= field.size(); i += 8) mix(load_le(bytes + i, 8));
    if (i < field.size()) mix(load_le(bytes + i, field.size() - i));
    return *this;
  }
  IdHasher& add(std::uint64_t number) noexcept {
    mix(number);
    return *this;
  }
  std::string hex() const {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out(32, '0');
    const std::uint64_t parts[2] = {finalize(a_ ^ (b_ >> 7)), finalize(b_ + a_ * 31)};
    for (int p = 0; p < 2; ++p) {
      for (int i = 0; i < 16; ++i) out[p * 16 + i] = digits[(parts[p] >> (60 - 4 * i)) & 0xf];
    }
    return out;
  }

 private:
  // Little-endian by construction, so ids are the same on every platform.
  static std::uint64_t load_le(const unsigned char* p, std::size_t n) noexcept {
    std::uint64_t v = 0;
    for (std::size_t k = 0; k < n; ++k) v |= static_cast<std::uint64_t>(p[k]) << (8 * k);
    return v;
  }
  void mix(std::uint64_t v) noexcept {
    a_ = finalize(a_ ^ v);
    b_ = finalize(b_ + v + 0x9e3779b97f4a7c15ull);
  }
  static std::uint64_t finalize(std::uint64_t z) noexcept {  // splitmix64's finalizer
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  std::uint64_t a_ = 0xcbf29ce484222325ull;
  std::uint64_t b_ = 0x84222325cbf29ce4ull;
};

}  // namespace weft::detail
