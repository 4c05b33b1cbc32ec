// SPDX-License-Identifier: MIT
#pragma once
// Bounds on what one model answer, and one run, can make the tools do. A model answer is
// untrusted: one answer with 2,000 tool calls must not become 2,000 requests, and a model
// talked into "send this to every customer" must not send 100 messages.
//
// Two limits, both decided before any request is sent, from the calls and the conversation in
// state alone (so a task re-run after a crash, or a resumed thread in a new process, decides
// exactly as the first run did):
//   - per turn: the first `max_calls_per_turn` calls of one assistant message run; the rest are
//     refused;
//   - per run: a side-effecting tool has a budget of calls over the whole conversation (every
//     earlier tool message of that tool in state counts, except calls refused or rejected before
//     any request); once spent, further calls of it are refused.
// A refused call still gets its tool message (status "error", "refused": "per_turn_cap" |
// "run_budget", content "Error: refused: ...") so the model learns why and the run's summary can
// say so; nothing is sent for it.

#include "nodes/model/chat_model.hpp"
#include "nodes/tools/tool_registry.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace weft {

struct ToolLimits {
  /// At most this many tool calls of one assistant message run; the others are refused.
  /// 0 = no cap. Default 32.
  std::size_t max_calls_per_turn = 32;
  /// Per-run budget of calls of a side-effecting tool, by tool name. Default: none.
  std::map<std::string, std::size_t, std::less<>> write_budget;
  /// Budget of a side-effecting tool not named in write_budget. Default unset (no budget).
  std::optional<std::size_t> default_write_budget;

  /// The budget of `tool` (nullopt: unlimited). Read tools never have one.
  std::optional<std::size_t> budget_of(const Tool& tool) const;
};

/// Why a call was refused.
enum class ToolRefusal { none, per_turn_cap, run_budget };

/// "per_turn_cap" / "run_budget" ("" for none): the value of a refused message's "refused" key.
const char* to_string(ToolRefusal refusal) noexcept;

/// For each of `calls` (one assistant message's calls, in order): none, or why it is refused,
/// under `limits` given `history` (the conversation before that message; tool messages in it
/// count against the budgets). Calls of tools unknown to `registry` are not refused here (the
/// tool node answers them as unknown). Pure; thread-safe.
std::vector<ToolRefusal> plan_tool_calls(const std::vector<ToolCall>& calls, const boost::json::array& history,
                                         const ToolRegistry& registry, const ToolLimits& limits);

/// The tool message of a call refused for `why` ("Error: refused: ..." telling the model what
/// limit it hit and that nothing was sent).
boost::json::object refused_tool_message(const ToolCall& call, ToolRefusal why, std::size_t total_calls,
                                         const ToolLimits& limits, std::optional<std::size_t> budget);

/// The refused tool messages of `messages` (those with a "refused" key), counted by reason:
/// {"per_turn_cap": n, "run_budget": m}; and the tools refused for their budget.
struct RefusedCalls {
  std::size_t per_turn_cap = 0;
  std::size_t run_budget = 0;
  std::map<std::string, std::size_t, std::less<>> by_tool;  ///< run_budget refusals by tool name
  std::size_t total() const noexcept { return per_turn_cap + run_budget; }
};
RefusedCalls refused_calls(const boost::json::array& messages);

}  // namespace weft
