#include "engine/error.hpp"

namespace weft::engine {
namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "weft.engine"; }
  std::string message(int value) const override {
    switch (static_cast<error>(value)) {
      case error::invalid_graph: return "invalid graph";
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
