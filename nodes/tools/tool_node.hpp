// SPDX-License-Identifier: MIT
#pragma once
// The tool node: runs the tool calls of the last assistant message, all at once, and appends one
// tool message per call, in the calls' order (LangGraph's ToolNode).
//
// Every call's outcome becomes a message the model can read; the node itself does not fail:
//   unknown tool (or one outside the registry's allow-list), arguments that are not JSON, arguments
//   that fail the tool's schema, a tool that throws, a journaled call left in doubt by a crash
//   -> {"role":"tool","tool_call_id":..,"name":..,"status":"error","content":"Error: ... <what to fix>"}
//      (with "sent": false when no request was made: unknown tool, arguments not JSON or invalid)
//   a call over the per-turn cap or its tool's run budget (ToolLimits, tool_limits.hpp)
//   -> the same with "refused": "per_turn_cap" | "run_budget"; nothing is sent for it
//   success -> {"role":"tool","tool_call_id":..,"name":..,"status":"success","content": result}
// (a string result as is, any other JSON as its text). "name" and "status" are Weft's: the
// OpenAI client strips them before sending.
// Only two things escape: NodeContext::interrupt()'s signal (a tool asked a human; the node runs
// again from the top on resume, journaled calls replaying their results) and cancellation.

#include "engine/node_context.hpp"
#include "engine/state_view.hpp"
#include "nodes/model/chat_model.hpp"
#include "nodes/tools/tool_limits.hpp"
#include "nodes/tools/tool_registry.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace weft {

struct ToolNodeOptions {
  /// The state key holding the conversation. Default "messages".
  std::string messages_key = "messages";
  /// At most this many calls of one turn run at once (the others start as these finish);
  /// 0 = all at once. Default 0. (Per-host HTTP limits live in the HTTP client.)
  std::size_t max_concurrency = 0;
  /// Per-turn cap on calls and per-run budgets of write tools (tool_limits.hpp). Default: at most
  /// 32 calls per turn, no budgets.
  ToolLimits limits;
};

/// Runs `calls` concurrently (at most `max_concurrency` at once, 0 = all) on the awaiting
/// coroutine's executor and returns their tool messages in the order of `calls`. Side-effecting (ToolEffects::journaled) tools run through
/// node->effect keyed by call id and position; without `node` every tool runs directly.
/// Cancelling the awaiting coroutine cancels every call. Never throws for a tool's own failure
/// (see above); rethrows an interrupt signal or cancellation once all calls have settled.
boost::asio::awaitable<boost::json::array> run_tool_calls(ToolRegistry registry, std::vector<ToolCall> calls,
                                                          std::optional<NodeContext> node,
                                                          std::size_t max_concurrency = 0);

/// The node: reads the last message of `messages_key`; if it is an assistant message with tool
/// calls, refuses those over `options.limits` (plan_tool_calls, counting the earlier messages of
/// `messages_key` against the budgets), runs the others (run_tool_calls) and returns
/// {messages_key: [one tool message per call, in order]}; otherwise returns {} (nothing to do).
/// Cheap to copy. Thread safety: const, share freely.
class ToolNode {
 public:
  explicit ToolNode(ToolRegistry registry, ToolNodeOptions options = {});

  boost::asio::awaitable<boost::json::object> operator()(StateView state, NodeContext context) const;

  const ToolRegistry& registry() const noexcept;

 private:
  struct Shared;
  // A static coroutine holding the shared definition: the node object need not outlive a run.
  static boost::asio::awaitable<boost::json::object> run(std::shared_ptr<const Shared> shared, StateView state,
                                                         NodeContext context);
  std::shared_ptr<const Shared> shared_;
};

/// `graph.add_node("tools", tool_node(registry))`.
ToolNode tool_node(ToolRegistry registry, ToolNodeOptions options = {});

}  // namespace weft
