#pragma once
// Deterministic ids: a 128-bit non-cryptographic hash of a few strings, as 32 hex digits.
// Stable across processes, platforms and compilers (no std::hash), so that a task re-created
// after a crash gets the same id.

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
    for (unsigned char c : field) {
      a_ = (a_ ^ c) * 0x100000001b3ull;
      b_ = (b_ ^ c) * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull;
    }
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
