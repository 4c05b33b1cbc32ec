// SPDX-License-Identifier: MIT
#pragma once
// The LLM node: sends the conversation in state (plus an optional system prompt) to a ChatModel
// with the registry's tools bound, and appends the assistant's message (with its tool calls).

#include "engine/node_context.hpp"
#include "engine/state_view.hpp"
#include "nodes/model/chat_model.hpp"
#include "nodes/tools/tool_registry.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace weft {

struct LlmNodeOptions {
  /// The state key holding the conversation (OpenAI chat messages). Default "messages".
  std::string messages_key = "messages";
  /// Sent first in every request, never stored in state. Default "" (none).
  std::string system_prompt;
  /// ChatRequest::tool_choice ("auto", "none", "required", or a function). Default null (unset).
  boost::json::value tool_choice;
  /// ChatRequest::model. Default "" (the model's configured one).
  std::string model;
  /// ChatRequest::temperature / max_tokens. Default unset.
  std::optional<double> temperature;
  std::optional<std::int64_t> max_tokens;
  /// Stream the assistant's text as it is generated, each piece as a `messages` stream event
  /// {"delta":<text>} with the node and task (NodeContext::emit_token), when the run's sink takes
  /// that mode (otherwise the model is not asked to stream). Default false.
  bool stream_tokens = false;
  /// Step limit of an agent loop: the number of model calls allowed since the last user message.
  /// When the call that reaches it still asks for tools, the node appends instead a final
  /// assistant message "Stopped after N steps ..." without tool calls (so tools_condition ends
  /// the loop) and with "metadata":{"stop_reason":"step_limit","steps":N}; past the limit it
  /// answers that without calling the model. 0 = no limit. Default 0.
  std::size_t max_steps = 0;
};

/// The node. Returns {messages_key: [assistant message]}; the message keeps the model's fields
/// and gains "metadata" {"model","finish_reason","usage"} (merged with the model's own metadata,
/// e.g. OfflineModel's "offline": true). A refusal (ChatResponse::refusal) stays in the message
/// as "refusal", with "stop_reason": "refusal" in its metadata. Errors: the model's (weft::Error with a model:: or
/// http:: code), which fail the node (a node RetryPolicy may retry them). Cheap to copy.
/// Thread safety: const, share freely (the model must allow concurrent complete()).
class LlmNode {
 public:
  LlmNode(std::shared_ptr<ChatModel> model, ToolRegistry tools, LlmNodeOptions options);

  /// Completes on the run's executor; cancelling the node cancels the model call.
  boost::asio::awaitable<boost::json::object> operator()(StateView state, NodeContext context) const;

 private:
  struct Shared;
  static boost::asio::awaitable<boost::json::object> run(std::shared_ptr<const Shared> shared, StateView state,
                                                         NodeContext context);
  std::shared_ptr<const Shared> shared_;
};

/// `graph.add_node("agent", llm_node(model, registry))`. `model` must not be null.
LlmNode llm_node(std::shared_ptr<ChatModel> model, ToolRegistry tools = {}, LlmNodeOptions options = {});

/// The number of assistant messages after the last user message of `messages` (all of them when
/// there is no user message): the agent steps taken in the current turn.
std::size_t steps_since_last_user_message(const boost::json::array& messages) noexcept;

}  // namespace weft
