// SPDX-License-Identifier: MIT
#include "nodes/model/error.hpp"

#include <string>

namespace weft::model {
namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "weft.model"; }
  std::string message(int value) const override {
    switch (static_cast<error>(value)) {
      case error::invalid_request: return "invalid chat request";
      case error::invalid_config: return "invalid model configuration";
      case error::api_error: return "the model API rejected the request";
      case error::bad_response: return "malformed model response";
      case error::invalid_script: return "invalid model script";
      case error::script_exhausted: return "model script exhausted";
      case error::cancelled: return "model call cancelled";
    }
    return "unknown model error";
  }
};

}  // namespace

const std::error_category& error_category() noexcept {
  static const Category category;
  return category;
}

}  // namespace weft::model
