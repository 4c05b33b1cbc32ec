// SPDX-License-Identifier: MIT
#include "engine/error.hpp"

namespace weft::engine {
namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "weft.engine"; }
  std::string message(int value) const override {
    switch (static_cast<error>(value)) {
      case error::invalid_graph: return "invalid graph";
      case error::invalid_update: return "invalid state update";
      case error::concurrent_update: return "concurrent update of a last-value key";
      case error::recursion_limit: return "recursion limit reached";
      case error::node_failed: return "node failed";
      case error::node_timeout: return "node timed out";
      case error::cancelled: return "run cancelled";
      case error::no_checkpointer: return "no checkpointer";
      case error::invalid_resume: return "invalid resume value";
      case error::effect_in_doubt: return "effect in doubt";
      case error::checkpoint_not_found: return "checkpoint not found";
      case error::missing_key: return "missing state key";
      case error::invalid_input: return "invalid run input";
      case error::invalid_route: return "invalid route";
      case error::stream_failed: return "stream sink failed";
      case error::effect_request_conflict: return "effect recorded for a different request";
      case error::invalid_store_request: return "invalid store request";
      case error::no_store: return "no store";
    }
    return "unknown engine error";
  }
};

}  // namespace

const std::error_category& error_category() noexcept {
  static const Category category;
  return category;
}

}  // namespace weft::engine
