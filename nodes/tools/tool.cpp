// SPDX-License-Identifier: MIT
#include "nodes/tools/tool.hpp"

#include "nodes/tools/error.hpp"

#include <utility>

namespace weft {

struct Tool::Definition {
  std::string name;
  std::string description;
  JsonSchema schema;
  ToolFunction function;
  ToolEffects effects = ToolEffects::none;
};

namespace {

bool is_valid_name(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

void check_definition(const std::string& name, const boost::json::value& parameters, const ToolFunction& function) {
  if (!is_valid_name(name))
    throw Error(tools::error::invalid_tool,
                "tool name '" + name + "' is invalid; use 1 to 64 letters, digits, '_' or '-'");
  if (!function) throw Error(tools::error::invalid_tool, "tool '" + name + "' has no function");
  const auto* root = parameters.if_object();
  const auto* type = root != nullptr ? root->if_contains("type") : nullptr;
  if (type == nullptr || !type->is_string() || type->get_string() != "object")
    throw Error(tools::error::invalid_tool,
                "tool '" + name + "': the parameters schema must have \"type\": \"object\" at its root");
}

JsonSchema compile_named(const std::string& name, const boost::json::value& parameters, const SchemaOptions& options) {
  try {
    return JsonSchema::compile(parameters, options);
  } catch (const Error& e) {
    throw Error(e.code(), "tool '" + name + "': " + e.what());
  }
}

}  // namespace

Tool::Tool(std::string name, std::string description, boost::json::value parameters, ToolFunction function,
           ToolEffects effects, const SchemaOptions& schema_options) {
  check_definition(name, parameters, function);  // before compiling: a bad name is reported first
  JsonSchema schema = compile_named(name, parameters, schema_options);
  *this = Tool(std::move(name), std::move(description), std::move(schema), std::move(function), effects);
}

Tool::Tool(std::string name, std::string description, JsonSchema parameters, ToolFunction function,
           ToolEffects effects) {
  check_definition(name, parameters.source(), function);
  auto definition = std::make_shared<Definition>();
  definition->schema = std::move(parameters);
  definition->name = std::move(name);
  definition->description = std::move(description);
  definition->function = std::move(function);
  definition->effects = effects;
  definition_ = std::move(definition);
}

const std::string& Tool::name() const noexcept { return definition_->name; }
const std::string& Tool::description() const noexcept { return definition_->description; }
const boost::json::value& Tool::parameters() const noexcept { return definition_->schema.source(); }
const JsonSchema& Tool::schema() const noexcept { return definition_->schema; }
ToolEffects Tool::effects() const noexcept { return definition_->effects; }
bool Tool::side_effecting() const noexcept { return definition_->effects != ToolEffects::none; }
const ToolFunction& Tool::function() const noexcept { return definition_->function; }

std::vector<SchemaViolation> Tool::check_arguments(const boost::json::value& args) const {
  if (!args.is_object()) return {SchemaViolation{"", "arguments must be a JSON object"}};
  return definition_->schema.validate(args);
}

namespace {

// A free coroutine holding a copy of the handle: the awaitable stays valid even if the Tool it
// came from is gone before it is awaited.
boost::asio::awaitable<boost::json::value> run_tool(Tool tool, boost::json::value args, ToolContext ctx) {
  const std::vector<SchemaViolation> violations = tool.check_arguments(args);
  if (!violations.empty())
    throw Error(tools::error::invalid_arguments,
                "invalid arguments for tool '" + tool.name() + "': " + to_string(violations));
  ctx.request = boost::json::object{{"tool", tool.name()}, {"arguments", args}};
  auto operation = tool.function()(std::move(args.get_object()), std::move(ctx));
  boost::json::value result = co_await std::move(operation);
  co_return result;
}

}  // namespace

namespace {

// Keeps `fn` (and whatever its lambda captured) alive in the frame while its awaitable runs.
boost::asio::awaitable<boost::json::value> run_directly(EffectFn fn) {
  auto operation = fn();
  boost::json::value result = co_await std::move(operation);
  co_return result;
}

}  // namespace

boost::asio::awaitable<boost::json::value> ToolContext::effect(std::string sub_key, EffectFn fn,
                                                               ReconcileFn reconcile) const {
  if (!node) return run_directly(std::move(fn));
  EffectRequest bound;
  bound.what = request;
  return node->effect_erased(effect_key + "/" + sub_key, std::move(fn), std::move(reconcile), std::move(bound));
}

boost::asio::awaitable<boost::json::value> Tool::call(boost::json::value args, ToolContext ctx) const {
  return run_tool(*this, std::move(args), std::move(ctx));
}

boost::json::object Tool::to_openai() const {
  boost::json::object function;
  function["name"] = definition_->name;
  function["description"] = definition_->description;
  function["parameters"] = definition_->schema.source();
  boost::json::object out;
  out["type"] = "function";
  out["function"] = std::move(function);
  return out;
}

}  // namespace weft
