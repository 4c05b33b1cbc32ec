// SPDX-License-Identifier: MIT
#pragma once
// Route: what a router (conditional edge) returns: node names and/or Sends.

#include "engine/command.hpp"

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace weft {

/// Implicitly built from a name, several names, a Send or several Sends, so a router can
/// `return "tools";`, `return std::vector<std::string>{"a","b"};` or `return sends;`.
/// Names go through the conditional edge's path map (if one was given); END is dropped.
class Route {
 public:
  Route() = default;
  Route(const char* name) : names_{std::string(name)} {}               // NOLINT: implicit by design
  Route(std::string name) : names_{std::move(name)} {}                 // NOLINT
  Route(std::string_view name) : names_{std::string(name)} {}          // NOLINT
  Route(std::vector<std::string> names) : names_(std::move(names)) {}  // NOLINT
  Route(std::initializer_list<std::string> names) : names_(names) {}   // NOLINT
  Route(Send send) : sends_{std::move(send)} {}                        // NOLINT
  Route(std::vector<Send> sends) : sends_(std::move(sends)) {}         // NOLINT

  Route& add(std::string name) {
    names_.push_back(std::move(name));
    return *this;
  }
  Route& add(Send send) {
    sends_.push_back(std::move(send));
    return *this;
  }

  const std::vector<std::string>& names() const noexcept { return names_; }
  const std::vector<Send>& sends() const noexcept { return sends_; }

 private:
  std::vector<std::string> names_;
  std::vector<Send> sends_;
};

}  // namespace weft
