// SPDX-License-Identifier: MIT
#pragma once
// Helpers the built-in graphs' nodes share: calling one Crisp tool from a node (through the tool
// layer, so arguments are validated and writes journaled exactly as in a tool node), and asking
// the model for JSON or text with the answer journaled (a task re-run after a crash or an
// interrupt sees the same answer and so takes the same actions).

#include "engine/node_context.hpp"
#include "engine/state_view.hpp"
#include "nodes/model/chat_model.hpp"
#include "nodes/tools/tool_registry.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace weft::graphs::detail {

/// The summary's last line when the offline model did the model's work: "\n<done> by the
/// offline <kind> model, not an LLM (set OPENAI_API_KEY or OPENAI_BASE_URL to use one)."
std::string offline_model_note(std::string_view done, std::string_view kind);

/// Calls tool `name` of `tools` (an allow-list view) with `args` as a model's tool call with id
/// `call_id` would run in a tool node (nodes/tools/tool_node.hpp: run_tool_calls): a write is
/// journaled under the task and the call id, so `call_id` must be unique within the node and the
/// same on every re-run. Returns the tool's result (JSON; text results as strings).
/// Throws weft::Error(graphs::error::tool_failed) "<tool>: <the tool's error>" when the call
/// failed (unknown tool outside the view, invalid arguments, Crisp error after retries).
/// Completes on the run's executor.
boost::asio::awaitable<boost::json::value> call_tool(ToolRegistry tools, std::string name, boost::json::object args,
                                                     NodeContext ctx, std::string call_id);

/// What a journaled model call recorded.
struct ModelAnswer {
  boost::json::value json;  ///< the parsed structured output (ask_json), or null
  std::string text;         ///< the message content
  std::string model;        ///< the model that answered ("weft-offline" for the heuristic)
  bool offline = false;     ///< true when the answer came from OfflineModel
  std::string refusal;      ///< the model's refusal (ChatResponse::refusal), "" when it answered
  /// Tool calls the answer carries ([{"id","type","function":{"name","arguments"}}]), [] when
  /// none. The graphs that ask for JSON or text offer no tools, so these are never run; a graph
  /// reports them (a model asking for actions it was not offered is a sign it was steered).
  boost::json::array tool_calls;
};

/// Accepts a model answer (may normalize it) or rejects it by throwing
/// weft::Error(graphs::error::bad_model_output) saying what is wrong with it.
using AnswerCheck = std::function<void(ModelAnswer&)>;

/// Who reads a model's answer. Text written for people (a reply, an article, a greeting) streams
/// to the run's `messages` stream mode as it arrives (NodeContext::emit_token), when someone
/// listens; text for the graph itself (a classification) does not.
enum class Readers { graph, people };

/// Sends `request` (with response_format set by the caller) once per (task, `key`), journaled, and
/// returns the parsed JSON answer. The entry is bound to what was asked (messages, tools, formats,
/// metadata; not the model or its options): a re-run that asks something else asks again. Throws
/// weft::Error(graphs::error::model_refused) ("the model refused: ...") when the model declined,
/// graphs::error::bad_model_output when the answer is not JSON or `accept` rejects it. A refused or
/// rejected answer is not recorded, so the next attempt (`weft resume`) asks again instead of
/// replaying it. Completes on the run's executor.
boost::asio::awaitable<ModelAnswer> ask_json(std::shared_ptr<ChatModel> model, ChatRequest request, NodeContext ctx,
                                             std::string key, AnswerCheck accept = {},
                                             Readers readers = Readers::graph);

/// Same for a free-text answer (the content). Throws model_refused for a refusal, bad_model_output
/// for an empty answer or one `accept` rejects (neither is recorded).
boost::asio::awaitable<ModelAnswer> ask_text(std::shared_ptr<ChatModel> model, ChatRequest request, NodeContext ctx,
                                             std::string key, AnswerCheck accept = {},
                                             Readers readers = Readers::graph);

/// A string member of `o`, or `fallback`.
std::string string_of(const boost::json::object& o, std::string_view key, std::string fallback = {});
/// An integer member of `o` (integers or whole doubles), or `fallback`.
std::int64_t int_of(const boost::json::object& o, std::string_view key, std::int64_t fallback);
/// A bool member of `o`, or `fallback`.
bool bool_of(const boost::json::object& o, std::string_view key, bool fallback);
/// `v` when it is an object, else {}.
boost::json::object object_or_empty(const boost::json::value& v);
/// `s` with ASCII letters lowercased.
std::string lower(std::string s);
/// The graph input written by GraphDefinition::make_input ({} when absent).
boost::json::object input_of(const StateView& state);

}  // namespace weft::graphs::detail
