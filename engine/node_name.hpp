// SPDX-License-Identifier: MIT
#pragma once
// NodeName: the type StateGraph's builder methods take where a node is named, so that every
// spelling a user writes works as written: "a", std::string, std::string_view and the constants
// weft::START / weft::END (string_views).

#include <string>
#include <string_view>

namespace weft {

/// A node name, implicitly built from one string-like value. It deliberately has no constructor
/// of two arguments: a braced list `{"a", "b"}` can then never be read as one name (std::string
/// and std::string_view would take it as an iterator pair), so an overload taking
/// std::initializer_list<NodeName> claims it unambiguously, and a path map
/// `{{"yes", "a"}, {"no", "b"}}` is never taken for a list of names.
class NodeName {
 public:
  NodeName(const char* name) : name_(name) {}             // NOLINT: implicit by design
  NodeName(std::string name) : name_(std::move(name)) {}  // NOLINT
  NodeName(std::string_view name) : name_(name) {}        // NOLINT

  const std::string& str() const& noexcept { return name_; }
  std::string str() && noexcept { return std::move(name_); }

 private:
  std::string name_;
};

}  // namespace weft
