// SPDX-License-Identifier: MIT
#pragma once
// react_agent: the prebuilt agent loop (LangGraph's create_react_agent): an LLM node and a tool
// node, agent <-> tools, bounded by a step limit that ends with a final message instead of an
// error.
//
//   START -> agent --tools_condition--> tools -> agent
//                  \-------------------> END
// State: {"messages": messages channel}. Input: {"messages": [user_message("...")]}.

#include "engine/compiled_graph.hpp"
#include "engine/state_graph.hpp"
#include "nodes/model/chat_model.hpp"
#include "nodes/tools/llm_node.hpp"
#include "nodes/tools/tool_limits.hpp"
#include "nodes/tools/tool_registry.hpp"

#include <cstddef>
#include <memory>
#include <string>

namespace weft {

struct ReactAgentOptions {
  /// Model calls allowed per user turn; when the last one still asks for tools, the run ends
  /// with "Stopped after N steps: ..." (see LlmNodeOptions::max_steps). Must be >= 1. Default 10.
  std::size_t max_steps = 10;
  /// Sent first in every model request, never stored in state. Default "" (none).
  std::string system_prompt;
  /// Everything else about the model calls (model, temperature, tool_choice, token streaming).
  /// Its messages_key, system_prompt and max_steps are replaced by the ones above. Default {}.
  LlmNodeOptions llm;
  /// The tool node's per-turn cap on calls and per-run budgets of write tools (tool_limits.hpp).
  /// Default: at most 32 calls per turn, no budgets.
  ToolLimits tool_limits;
  /// Graph name (errors, checkpoint metadata, Mermaid). Default "react_agent".
  std::string name = "react_agent";
};

/// The builder, to extend before compiling (nodes "agent" and "tools"). Throws weft::Error
/// (engine::error::invalid_graph) for a null model or max_steps == 0.
StateGraph react_agent_graph(std::shared_ptr<ChatModel> model, ToolRegistry tools,
                             const ReactAgentOptions& options = {});

/// The compiled agent. A run takes 2 * max_steps supersteps at most, far below the default
/// recursion limit.
CompiledGraph react_agent(std::shared_ptr<ChatModel> model, ToolRegistry tools, const ReactAgentOptions& options = {},
                          CompileOptions compile_options = {});

}  // namespace weft
