// SPDX-License-Identifier: MIT
#include "nodes/tools/react_agent.hpp"

#include "engine/error.hpp"
#include "nodes/tools/tool_node.hpp"
#include "nodes/tools/tools_condition.hpp"

#include <utility>

namespace weft {

StateGraph react_agent_graph(std::shared_ptr<ChatModel> model, ToolRegistry tools, const ReactAgentOptions& options) {
  if (options.max_steps == 0) throw Error(engine::error::invalid_graph, "react_agent: max_steps must be at least 1");
  LlmNodeOptions llm = options.llm;
  llm.messages_key = "messages";
  llm.system_prompt = options.system_prompt;
  llm.max_steps = options.max_steps;

  StateGraph graph({{"messages", Channel::messages()}}, options.name);
  graph.add_node("agent", llm_node(std::move(model), tools, std::move(llm)));
  ToolNodeOptions tool_options;
  tool_options.limits = options.tool_limits;
  graph.add_node("tools", tool_node(std::move(tools), std::move(tool_options)));
  graph.add_edge(std::string(START), "agent");
  graph.add_conditional_edges("agent", tools_condition, std::vector<std::string>{"tools", std::string(END)});
  graph.add_edge("tools", "agent");
  return graph;
}

CompiledGraph react_agent(std::shared_ptr<ChatModel> model, ToolRegistry tools, const ReactAgentOptions& options,
                          CompileOptions compile_options) {
  return react_agent_graph(std::move(model), std::move(tools), options).compile(std::move(compile_options));
}

}  // namespace weft
