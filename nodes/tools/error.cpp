// SPDX-License-Identifier: MIT
#include "nodes/tools/error.hpp"

#include <string>

namespace weft::tools {
namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "weft.tools"; }
  std::string message(int value) const override {
    switch (static_cast<error>(value)) {
      case error::invalid_schema: return "invalid JSON Schema";
      case error::invalid_tool: return "invalid tool definition";
      case error::unknown_tool: return "unknown tool";
      case error::invalid_arguments: return "invalid tool arguments";
      case error::tool_failed: return "tool failed";
    }
    return "unknown tools error";
  }
};

}  // namespace

const std::error_category& error_category() noexcept {
  static const Category category;
  return category;
}

}  // namespace weft::tools
