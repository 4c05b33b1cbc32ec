// SPDX-License-Identifier: MIT
#include "nodes/tools/tool_limits.hpp"

namespace weft {
namespace {

namespace json = boost::json;

std::string_view string_at(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

// A tool message of `history` that made (or may have made) a request: neither refused by a limit
// nor rejected before sending (unknown tool, arguments not JSON or failing the schema).
bool spent_a_call(const json::object& message) {
  if (string_at(message, "role") != "tool") return false;
  if (message.contains("refused")) return false;
  const json::value* sent = message.if_contains("sent");
  return !(sent != nullptr && sent->is_bool() && !sent->get_bool());
}

}  // namespace

std::optional<std::size_t> ToolLimits::budget_of(const Tool& tool) const {
  if (!tool.side_effecting()) return std::nullopt;
  if (auto it = write_budget.find(tool.name()); it != write_budget.end()) return it->second;
  return default_write_budget;
}

const char* to_string(ToolRefusal refusal) noexcept {
  switch (refusal) {
    case ToolRefusal::per_turn_cap: return "per_turn_cap";
    case ToolRefusal::run_budget: return "run_budget";
    case ToolRefusal::none: break;
  }
  return "";
}

std::vector<ToolRefusal> plan_tool_calls(const std::vector<ToolCall>& calls, const json::array& history,
                                         const ToolRegistry& registry, const ToolLimits& limits) {
  std::vector<ToolRefusal> plan(calls.size(), ToolRefusal::none);
  std::map<std::string, std::size_t, std::less<>> spent;
  for (const json::value& m : history) {
    if (const json::object* message = m.if_object(); message != nullptr && spent_a_call(*message))
      ++spent[std::string(string_at(*message, "name"))];
  }
  for (std::size_t i = 0; i < calls.size(); ++i) {
    if (limits.max_calls_per_turn != 0 && i >= limits.max_calls_per_turn) {
      plan[i] = ToolRefusal::per_turn_cap;
      continue;
    }
    const Tool* tool = registry.find(calls[i].name);
    if (tool == nullptr) continue;
    const std::optional<std::size_t> budget = limits.budget_of(*tool);
    if (!budget) continue;
    // A call that the tool node will reject before sending (bad arguments) still takes a slot
    // here: deciding from the call's name alone keeps the plan simple and errs on the safe side.
    std::size_t& used = spent[calls[i].name];
    if (used >= *budget) {
      plan[i] = ToolRefusal::run_budget;
    } else {
      ++used;
    }
  }
  return plan;
}

json::object refused_tool_message(const ToolCall& call, ToolRefusal why, std::size_t total_calls,
                                  const ToolLimits& limits, std::optional<std::size_t> budget) {
  std::string content = "Error: refused: ";
  if (why == ToolRefusal::per_turn_cap) {
    content += "this answer asked for " + std::to_string(total_calls) + " tool calls and at most " +
               std::to_string(limits.max_calls_per_turn) +
               " run per turn; this one was not run and nothing was sent. Ask again for what is still needed, "
               "a few calls at a time.";
  } else {
    content += "the run's budget of " + std::to_string(budget.value_or(0)) + " call(s) of '" + call.name +
               "' is spent; this call was not run and nothing was sent. Do not retry it; say in your answer what "
               "was left undone.";
  }
  json::object message = tool_message(call.id, content);
  message["name"] = call.name;
  message["status"] = "error";
  message["refused"] = to_string(why);
  return message;
}

RefusedCalls refused_calls(const json::array& messages) {
  RefusedCalls counted;
  for (const json::value& m : messages) {
    const json::object* message = m.if_object();
    if (message == nullptr || string_at(*message, "role") != "tool") continue;
    const std::string_view why = string_at(*message, "refused");
    if (why == "per_turn_cap") {
      ++counted.per_turn_cap;
    } else if (why == "run_budget") {
      ++counted.run_budget;
      ++counted.by_tool[std::string(string_at(*message, "name"))];
    }
  }
  return counted;
}

}  // namespace weft
