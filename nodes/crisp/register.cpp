// SPDX-License-Identifier: MIT
#include "nodes/crisp/register.hpp"

namespace weft::crisp {
namespace json = boost::json;
namespace {

// Removes vendor keywords and id patterns and length caps (CrispTools checks ids with better
// messages).
json::value model_schema(const json::value& schema) {
  if (schema.is_array()) {
    json::array out;
    for (const auto& v : schema.as_array()) out.push_back(model_schema(v));
    return out;
  }
  if (!schema.is_object()) return schema;
  const json::object& in = schema.as_object();
  const bool is_id = in.contains("x-crisp-id");
  json::object out;
  for (const auto& [key, value] : in) {
    if (key.starts_with("x-")) continue;
    if (is_id && (key == "pattern" || key == "maxLength")) continue;
    if (key == "properties" && value.is_object()) {
      json::object props;
      for (const auto& [name, sub] : value.as_object()) props[name] = model_schema(sub);
      out[key] = std::move(props);
    } else if (key == "items" || key == "additionalProperties") {
      out[key] = model_schema(value);
    } else {
      out[key] = value;
    }
  }
  return out;
}

// Runs one sub-effect through the tool context (and so NodeContext::effect). `ctx` is held by
// this coroutine's frame for as long as the effect runs.
boost::asio::awaitable<json::value> run_in_context(ToolContext ctx, std::string sub_key, EffectFn fn,
                                                   ReconcileFn reconcile) {
  json::value result = co_await ctx.effect(std::move(sub_key), std::move(fn), std::move(reconcile));
  co_return result;
}

// Asks before each send of a write whether this process may still act on the node's thread. The
// context is held by this coroutine's frame while the question is asked.
boost::asio::awaitable<void> confirm_in_context(NodeContext node) {
  auto confirming = node.confirm_may_act();
  co_await std::move(confirming);
}

boost::asio::awaitable<json::value> run_tool(std::shared_ptr<CrispTools> tools, std::string name, json::object args,
                                             ToolContext ctx) {
  EffectScope scope;
  if (ctx.node && !ctx.effect_key.empty()) {
    // Same thread, same task, same call position -> same fingerprint after a crash and resume.
    scope.fingerprint_seed = ctx.node->thread_id() + '\n' + ctx.node->task_id() + '\n' + ctx.effect_key;
    scope.confirm_may_act = [node = *ctx.node]() { return confirm_in_context(node); };
    scope.run = [ctx](std::string sub_key, EffectFn fn, ReconcileFn reconcile) {
      return run_in_context(ctx, std::move(sub_key), std::move(fn), std::move(reconcile));
    };
  }
  json::value arguments = std::move(args);
  json::value result = co_await tools->call(std::move(name), std::move(arguments), std::move(scope));
  co_return result;
}

}  // namespace

std::vector<Tool> make_tools(std::shared_ptr<CrispTools> tools) {
  std::vector<Tool> out;
  for (const auto& entry : tools->catalog().entries()) {
    const std::string name = entry.name;
    ToolFunction fn = [tools, name](json::object args, ToolContext ctx) {
      return run_tool(tools, name, std::move(args), std::move(ctx));
    };
    // Compiled on the tool's first call: a run calls a few of the catalog's tools, and compiling
    // them all was most of a command's start-up. The catalog's own parse() proves they compile.
    JsonSchema parameters = JsonSchema::lazy(model_schema(json::value(entry.parameters)));
    out.emplace_back(entry.name, entry.description, std::move(parameters), std::move(fn),
                     entry.side_effecting ? ToolEffects::self_journaled : ToolEffects::none);
  }
  return out;
}

void register_tools(ToolRegistry& registry, std::shared_ptr<CrispTools> tools) {
  for (auto& tool : make_tools(std::move(tools))) registry.add(std::move(tool));
}

}  // namespace weft::crisp
