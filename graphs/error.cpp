// SPDX-License-Identifier: MIT
#include "graphs/error.hpp"

#include <string>

namespace weft::graphs {
namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "weft.graphs"; }
  std::string message(int value) const override {
    switch (static_cast<error>(value)) {
      case error::unknown_graph: return "unknown graph";
      case error::invalid_input: return "invalid graph input";
      case error::tool_failed: return "tool call failed";
      case error::bad_model_output: return "unusable model output";
      case error::not_found: return "not found";
      case error::invalid_decision: return "invalid human decision";
      case error::model_refused: return "the model refused";
      case error::write_refused: return "write refused";
    }
    return "unknown graphs error";
  }
};

}  // namespace

const std::error_category& error_category() noexcept {
  static const Category category;
  return category;
}

}  // namespace weft::graphs
