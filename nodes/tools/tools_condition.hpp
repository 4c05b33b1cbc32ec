// SPDX-License-Identifier: MIT
#pragma once
// tools_condition: the router after an LLM node (LangGraph's tools_condition).

#include "engine/node.hpp"
#include "engine/route.hpp"
#include "engine/state_view.hpp"

#include <string>

namespace weft {

/// "tools" when the last message of state "messages" is an assistant message with at least one
/// tool call; END otherwise (no messages, a final answer, a tool or user message last).
/// `graph.add_conditional_edges("agent", tools_condition, {"tools", std::string(END)})`.
Route tools_condition(StateView state);

/// The same router for another messages key and tools node name.
RouterFunction tools_condition_for(std::string messages_key, std::string tools_node = "tools");

}  // namespace weft
