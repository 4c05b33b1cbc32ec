// SPDX-License-Identifier: MIT
#include "graphs/detail/model_options.hpp"

namespace weft::graphs::detail {
namespace {

class ModelWithOptions final : public ChatModel {
 public:
  ModelWithOptions(std::shared_ptr<ChatModel> model, ModelOptions options)
      : model_(std::move(model)), options_(options) {}

  boost::asio::awaitable<ChatResponse> complete(ChatRequest request) override {
    if (options_.temperature) request.temperature = options_.temperature;
    if (options_.max_tokens) request.max_tokens = options_.max_tokens;
    return model_->complete(std::move(request));
  }
  std::string describe() const override { return model_->describe(); }
  bool is_offline() const noexcept override { return model_->is_offline(); }

 private:
  std::shared_ptr<ChatModel> model_;
  ModelOptions options_;
};

}  // namespace

std::shared_ptr<ChatModel> with_model_options(std::shared_ptr<ChatModel> model, const ModelOptions& options) {
  if (!options.temperature && !options.max_tokens) return model;
  return std::make_shared<ModelWithOptions>(std::move(model), options);
}

}  // namespace weft::graphs::detail
