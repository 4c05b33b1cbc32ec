#pragma once
// The regex of an IdKind's pattern, compiled on first use: the catalog has a handful of id kinds
// and std::regex compilation is slow enough to matter at every command's start. Private to
// nodes/crisp.

#include <mutex>
#include <optional>
#include <regex>
#include <string>

namespace weft::crisp::detail {

class IdPattern {
 public:
  explicit IdPattern(std::string pattern) : pattern_(std::move(pattern)) {}

  /// Compiles now; throws std::regex_error for a bad pattern (catalog validation).
  void compile() const { regex(); }
  /// True when the whole of `text` matches. Thread-safe (the first caller compiles).
  bool matches(const std::string& text) const { return std::regex_match(text, regex()); }

 private:
  const std::regex& regex() const {
    // A throw leaves the flag unset: a bad pattern throws on every use.
    std::call_once(once_, [this] { regex_.emplace(pattern_, std::regex::ECMAScript); });
    return *regex_;
  }

  std::string pattern_;
  mutable std::once_flag once_;
  mutable std::optional<std::regex> regex_;
};

}  // namespace weft::crisp::detail
