// SPDX-License-Identifier: MIT
#pragma once
// A regular expression written in ECMA-262 syntax (JSON Schema `pattern`, the Crisp catalog's id
// patterns) and matched by RE2, whose time is linear in the text and whose stack use does not
// grow with it. std::regex recursed once per character and overflowed the stack on a model's
// 30,000-character id (issue #10). RE2 stays out of this header (it ships with the package's
// detail headers): consumers need not find RE2's headers.
//
// What RE2 cannot do in linear time (backreferences, lookahead, lookbehind) is refused when the
// pattern is compiled, never silently approximated. See ecma_regex.cpp for the mapping.

#include <memory>
#include <string>
#include <string_view>

namespace re2 {
class RE2;
}

namespace weft::detail {

class EcmaRegex {
 public:
  /// Compiles an ECMA-262 pattern (no flags: case-sensitive, not multiline, not dotAll).
  /// Throws std::invalid_argument saying what is wrong or unsupported.
  explicit EcmaRegex(std::string_view ecma_pattern);
  ~EcmaRegex();
  EcmaRegex(const EcmaRegex&) = delete;
  EcmaRegex& operator=(const EcmaRegex&) = delete;

  /// True when the pattern matches somewhere in `text` (ECMA RegExp.prototype.test, JSON Schema).
  /// Thread-safe (RE2 is safe for concurrent matching); linear in text.size().
  bool search(std::string_view text) const;
  /// True when the pattern matches the whole of `text`. Thread-safe; linear in text.size().
  bool full_match(std::string_view text) const;

  /// The pattern as translated for RE2 (for tests and messages).
  const std::string& re2_pattern() const noexcept { return translated_; }

 private:
  std::string translated_;
  std::unique_ptr<re2::RE2> re_;
};

/// Translates ECMA-262 pattern syntax to RE2 syntax with the same meaning. Throws
/// std::invalid_argument for a pattern RE2 cannot take (backreference, lookaround) or one that
/// is malformed in a way the translation notices (an unterminated class, a trailing backslash).
std::string ecma_to_re2(std::string_view ecma_pattern);

}  // namespace weft::detail
