// SPDX-License-Identifier: MIT
#pragma once
// The graphs' model with GraphServices::model_options applied: every request a graph sends gets
// the configured temperature and token cap, and none when they are unset (a graph never sets
// its own, so a default-temperature-only model is never sent one).

#include "graphs/registry.hpp"
#include "nodes/model/chat_model.hpp"

#include <memory>

namespace weft::graphs::detail {

/// `model` when `options` sets nothing; otherwise a ChatModel that sets options' fields on each
/// request (replacing the request's own) and forwards it to `model`. describe() and is_offline()
/// are `model`'s. Thread safety: as `model`.
std::shared_ptr<ChatModel> with_model_options(std::shared_ptr<ChatModel> model, const ModelOptions& options);

}  // namespace weft::graphs::detail
