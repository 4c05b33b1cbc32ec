// SPDX-License-Identifier: MIT
#include "nodes/tools/tools_condition.hpp"

#include "engine/special_nodes.hpp"
#include "nodes/model/chat_model.hpp"

#include <utility>

namespace weft {
namespace {

bool last_message_calls_tools(const StateView& state, std::string_view messages_key) {
  const boost::json::value* messages = state.find(messages_key);
  if (messages == nullptr || !messages->is_array() || messages->get_array().empty()) return false;
  const boost::json::value& last = messages->get_array().back();
  return last.is_object() && !tool_calls_of(last.get_object()).empty();
}

}  // namespace

Route tools_condition(StateView state) {
  return last_message_calls_tools(state, "messages") ? Route("tools") : Route(END);
}

RouterFunction tools_condition_for(std::string messages_key, std::string tools_node) {
  return [messages_key = std::move(messages_key), tools_node = std::move(tools_node)](StateView state) {
    return last_message_calls_tools(state, messages_key) ? Route(tools_node) : Route(END);
  };
}

}  // namespace weft
