// SPDX-License-Identifier: MIT
#pragma once
// OfflineModel: a deterministic, documented heuristic standing in for an LLM when none is
// configured, so the built-in graphs run offline. It is NOT a language model and says so: every
// answer has model "weft-offline" and message metadata {"offline": true, "task": ...}.
// The tasks, their inputs and outputs are specified in nodes/model/offline_model.md.
//
// The caller names the task in ChatRequest::metadata["task"]:
//   "classify"  -> JSON {"category": "spam"|"technical"|"sales"|"other", "reason": "...", "matched": [...]}
//   "extract"   -> JSON {"problem": "...", "solution": "...", "title": "..."}
//   "greeting"  -> text greeting (metadata: "name", "company", "page", "locale")
//   "article"   -> JSON {"title","description","content"} helpdesk article (metadata: "problem",
//                  "solution", "title" or the extraction JSON in the last user message)
//   "reply"     -> JSON {"reply","confidence": 0,"cited":[1..n]} a templated chat reply pointing to
//                  the articles in metadata["articles"] (live_reply; never a real confidence)
//   "agent"     -> a plain final answer that says no LLM is configured (never calls tools)
// Without metadata["task"], the task is inferred from response_format's json_schema name
// ("classification", "extraction", "article", "reply") and otherwise is "agent".

#include "nodes/model/chat_model.hpp"

#include <string>

namespace weft {

/// Stateless; thread-safe.
class OfflineModel final : public ChatModel {
 public:
  /// Completes inline on the awaiting coroutine's executor; not cancellable (instant).
  /// Errors: model::error::invalid_request for an unknown task or no user message.
  boost::asio::awaitable<ChatResponse> complete(ChatRequest request) override;
  std::string describe() const override { return "weft-offline"; }
  bool is_offline() const noexcept override { return true; }

  /// The model name every answer carries.
  static constexpr const char* model_name = "weft-offline";
};

}  // namespace weft
