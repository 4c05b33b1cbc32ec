// SPDX-License-Identifier: MIT
#pragma once
// A route template such as "website/{website_id}/conversation/{session_id}/messages" or
// ".../helpdesk/tree/content/{locale}/articles/{tree_path*}". A {name*} variable spans several
// path segments (its slashes are kept); every segment of every variable is percent-encoded.
// Private to nodes/crisp.

#include <boost/json/object.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace weft::crisp::detail {

class PathTemplate {
 public:
  /// Throws std::invalid_argument on an unbalanced brace or an empty variable name.
  static PathTemplate parse(std::string_view text);

  /// Variable names in order of appearance.
  std::vector<std::string> variables() const;

  /// Substitutes variables from `vars` (strings, or integers printed in decimal). Throws
  /// std::invalid_argument naming the variable when one is missing, of another type, empty, or
  /// (multi-segment) has an empty, "." or ".." segment.
  std::string expand(const boost::json::object& vars) const;

 private:
  struct Part {
    std::string text;  // literal text, or the variable name
    bool variable = false;
    bool multi = false;  // {name*}
  };
  std::vector<Part> parts_;
};

/// Percent-encodes one path segment (RFC 3986 unreserved characters pass through).
std::string encode_segment(std::string_view segment);
/// Percent-encodes a query component (as encode_segment).
std::string encode_query(std::string_view text);

}  // namespace weft::crisp::detail
