// SPDX-License-Identifier: MIT
#pragma once
// The compiled pattern of an IdKind, compiled on first use: the catalog has a handful of id kinds
// and compiling them all would cost every command's start for kinds it never checks. Matched by
// RE2 (nodes/tools/detail/ecma_regex.hpp): linear time, bounded stack, whatever a model sends.
// Private to nodes/crisp.

#include "nodes/tools/detail/ecma_regex.hpp"

#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace weft::crisp::detail {

class IdPattern {
 public:
  explicit IdPattern(std::string pattern) : pattern_(std::move(pattern)) {}

  /// Compiles now; throws std::invalid_argument for a bad or unsupported pattern (catalog
  /// validation).
  void compile() const { regex(); }
  /// True when the whole of `text` matches. Thread-safe (the first caller compiles).
  bool matches(std::string_view text) const { return regex().full_match(text); }

 private:
  const weft::detail::EcmaRegex& regex() const {
    // A throw leaves the flag unset: a bad pattern throws on every use.
    std::call_once(once_, [this] { regex_.emplace(pattern_); });
    return *regex_;
  }

  std::string pattern_;
  mutable std::once_flag once_;
  mutable std::optional<weft::detail::EcmaRegex> regex_;
};

}  // namespace weft::crisp::detail
