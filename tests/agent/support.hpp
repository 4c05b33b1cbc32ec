// SPDX-License-Identifier: MIT
#pragma once
// Test support for graphs around a tool node (tests/agent, tests/crisp): the run input of a
// conversation, a graph that is one tool step, the node options that time a task out and retry
// it once, a journal that loses abandon() as a crashed process does, and finding a tool's answer
// in a run's messages. Header-only: each test executable includes what it uses.

#include "engine/effect_journal.hpp"
#include "engine/state_graph.hpp"
#include "nodes/model/chat_model.hpp"
#include "nodes/tools/tool_node.hpp"
#include "store/memory_checkpointer.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <exception>
#include <string>
#include <string_view>
#include <utility>

namespace weft::test {

/// The run input {"messages": [the user's `text`]}.
inline boost::json::object conversation(std::string_view text) {
  boost::json::array messages;
  messages.emplace_back(user_message(text));
  boost::json::object in;
  in["messages"] = std::move(messages);
  return in;
}

/// The run input {"messages": [the user's `text`, `assistant_turn`]}: a turn whose tool calls the
/// tool node runs first.
inline boost::json::object conversation(std::string_view text, boost::json::value assistant_turn) {
  boost::json::object in = conversation(text);
  in["messages"].as_array().emplace_back(std::move(assistant_turn));
  return in;
}

/// A graph named `name`: START -> "tools" (a tool node on `tools`, with `node_options`) -> END,
/// over one messages channel, compiled with `options`.
inline CompiledGraph tool_step_graph(std::string name, ToolRegistry tools, NodeOptions node_options,
                                     CompileOptions options) {
  StateGraph graph({{"messages", Channel::messages()}}, std::move(name));
  graph.add_node("tools", tool_node(std::move(tools)), std::move(node_options));
  graph.add_edge(std::string(START), "tools");
  graph.add_edge("tools", std::string(END));
  return graph.compile(std::move(options));
}

/// Node options that cancel an attempt after `timeout` and run the task once more, at once.
inline NodeOptions timeout_then_retry_once(std::chrono::milliseconds timeout) {
  NodeOptions node_options;
  node_options.timeout = timeout;
  RetryPolicy retry;
  retry.initial_interval = std::chrono::milliseconds(1);
  retry.jitter = false;
  retry.max_attempts = 2;
  retry.retry_on = [](const std::exception&) { return true; };
  node_options.retry = retry;
  return node_options;
}

/// What a process killed in the middle of an effect leaves behind: abandon() is lost, so the
/// entry stays "started" (in doubt).
class CrashingJournal final : public EffectJournal {
 public:
  EffectEntry find(const std::string& thread, const std::string& key) override { return store.find(thread, key); }
  void begin(const std::string& thread, const std::string& key) override { store.begin(thread, key); }
  void finish(const std::string& thread, const std::string& key, const boost::json::value& result) override {
    store.finish(thread, key, result);
  }
  void abandon(const std::string&, const std::string&) override {}
  MemoryCheckpointer store;
};

/// The tool message answering `call_id` in a run's `values`, or nullptr.
inline const boost::json::object* tool_message_for(const boost::json::object& values, std::string_view call_id) {
  for (const auto& message : values.at("messages").as_array())
    if (const auto* id = message.as_object().if_contains("tool_call_id");
        id != nullptr && id->is_string() && id->get_string() == call_id)
      return &message.as_object();
  return nullptr;
}

}  // namespace weft::test
