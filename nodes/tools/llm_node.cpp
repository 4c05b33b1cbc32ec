// SPDX-License-Identifier: MIT
#include "nodes/tools/llm_node.hpp"

#include "engine/error.hpp"

#include <utility>

namespace weft {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

bool has_role(const json::value& message, std::string_view role) {
  const json::object* object = message.if_object();
  if (object == nullptr) return false;
  const json::value* value = object->if_contains("role");
  return value != nullptr && value->is_string() && value->get_string() == role;
}

json::object step_limit_message(std::size_t steps, const std::string& model_text, const std::vector<ToolCall>& calls) {
  std::string content =
      "Stopped after " + std::to_string(steps) + " steps: the step limit was reached before a final answer.";
  if (!calls.empty()) {
    // The answer is the model's: name a few of its calls, never all (it may hold thousands).
    constexpr std::size_t kNamed = 10;
    content += " These requested tool calls were not run:";
    for (std::size_t i = 0; i < calls.size() && i < kNamed; ++i) content += (i > 0 ? ", " : " ") + calls[i].name;
    if (calls.size() > kNamed) content += " and " + std::to_string(calls.size() - kNamed) + " more";
    content += ".";
  }
  if (!model_text.empty()) content += " Last model text: " + model_text;
  json::object message = assistant_message(content);
  json::object metadata;
  metadata["stop_reason"] = "step_limit";
  metadata["steps"] = steps;
  message["metadata"] = std::move(metadata);
  return message;
}

}  // namespace

std::size_t steps_since_last_user_message(const json::array& messages) noexcept {
  std::size_t steps = 0;
  for (auto it = messages.rbegin(); it != messages.rend(); ++it) {
    if (has_role(*it, "user")) break;
    if (has_role(*it, "assistant")) ++steps;
  }
  return steps;
}

struct LlmNode::Shared {
  std::shared_ptr<ChatModel> model;
  json::array tools;  // exported once
  LlmNodeOptions options;
};

LlmNode::LlmNode(std::shared_ptr<ChatModel> model, ToolRegistry tools, LlmNodeOptions options) {
  if (!model) throw Error(engine::error::invalid_graph, "llm_node: the model is null");
  shared_ = std::make_shared<const Shared>(Shared{std::move(model), tools.to_openai(), std::move(options)});
}

asio::awaitable<json::object> LlmNode::operator()(StateView state, NodeContext context) const {
  return run(shared_, std::move(state), std::move(context));
}

asio::awaitable<json::object> LlmNode::run(std::shared_ptr<const Shared> shared, StateView state, NodeContext context) {
  const LlmNodeOptions& options = shared->options;
  json::array history;
  if (const json::value* messages = state.find(options.messages_key); messages != nullptr && messages->is_array())
    history = messages->get_array();

  const std::size_t step = steps_since_last_user_message(history) + 1;
  json::object update;
  if (options.max_steps != 0 && step > options.max_steps) {
    json::array appended;
    appended.emplace_back(step_limit_message(options.max_steps, "", {}));
    update[options.messages_key] = std::move(appended);
    co_return update;
  }

  ChatRequest request;
  if (!options.system_prompt.empty()) request.messages.push_back(system_message(options.system_prompt));
  for (json::value& message : history) request.messages.push_back(std::move(message));
  request.tools = shared->tools;
  request.tool_choice = options.tool_choice;
  request.model = options.model;
  request.temperature = options.temperature;
  request.max_tokens = options.max_tokens;
  if (options.stream_tokens && context.streams(StreamMode::messages)) {
    request.on_token = [context](std::string_view token) { context.emit_token(token); };
  }

  auto completion = shared->model->complete(std::move(request));
  ChatResponse response = co_await std::move(completion);

  json::object message;
  if (options.max_steps != 0 && step >= options.max_steps && !response.tool_calls.empty()) {
    message = step_limit_message(options.max_steps, response.content(), response.tool_calls);
  } else {
    message = std::move(response.message);
  }
  json::object metadata;
  if (const json::value* own = message.if_contains("metadata"); own != nullptr && own->is_object())
    metadata = own->get_object();
  metadata["model"] = response.model;
  metadata["finish_reason"] = response.finish_reason;
  if (response.refusal) metadata["stop_reason"] = "refusal";
  json::object usage;
  usage["prompt_tokens"] = response.usage.prompt_tokens;
  usage["completion_tokens"] = response.usage.completion_tokens;
  usage["total_tokens"] = response.usage.total_tokens;
  metadata["usage"] = std::move(usage);
  message["metadata"] = std::move(metadata);

  json::array appended;
  appended.emplace_back(std::move(message));
  update[options.messages_key] = std::move(appended);
  co_return update;
}

LlmNode llm_node(std::shared_ptr<ChatModel> model, ToolRegistry tools, LlmNodeOptions options) {
  return LlmNode(std::move(model), std::move(tools), std::move(options));
}

}  // namespace weft
