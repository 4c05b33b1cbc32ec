// SPDX-License-Identifier: MIT
#pragma once
// Tool: a named async function a model may call, with a JSON Schema for its arguments that is
// checked before the function runs.

#include "engine/node_context.hpp"
#include "nodes/tools/json_schema.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace weft {

/// How a tool's side effects are made exactly-once when it runs in a graph.
enum class ToolEffects {
  none,            ///< read-only: the tool node simply runs it again when its task re-runs
  journaled,       ///< the tool node runs the whole call through the effect journal
                   ///< (NodeContext::effect, key ToolContext::effect_key): at most once per call, its
                   ///< result replayed when the task re-runs (resume after an interrupt or a crash)
  self_journaled,  ///< the tool journals its own effects (several requests, or an in-doubt
                   ///< reconciliation) with ToolContext::effect; the tool node runs it directly
};

/// What a running tool knows about its call. Cheap to copy; passed by value.
struct ToolContext {
  std::string tool_name;
  /// The model's id for this call ("call_abc"); "" when called outside a model turn.
  std::string call_id;
  /// This call's effect key, unique within its task ("tool:call_abc:0": call id and position, so
  /// a model that repeats an id still gets two keys). NodeContext::effect scopes it by the task
  /// id, which is the same when the task re-runs. "" outside a model turn.
  std::string effect_key;
  /// The calling node's context when the tool runs inside a graph (thread id, interrupt(),
  /// effect(), emit()); empty otherwise.
  std::optional<NodeContext> node;
  /// What this call asks: {"tool": name, "arguments": the validated arguments}, set by Tool::call.
  /// effect() binds its journal entries to it, so a re-run of the task that calls the same
  /// position with other arguments is a conflict, never a replay. Default null (unbound).
  boost::json::value request = nullptr;

  /// Runs `fn` at most once for (this call, `sub_key`) through node->effect(effect_key + "/" +
  /// sub_key, ...), replaying its recorded result when the task re-runs; `reconcile` decides an
  /// in-doubt entry (see NodeContext::effect). Without a node, `fn` simply runs. Completes on the
  /// run's executor.
  boost::asio::awaitable<boost::json::value> effect(std::string sub_key, EffectFn fn, ReconcileFn reconcile = {}) const;
};

/// The tool's body: receives validated arguments. Its result becomes the tool message content (a
/// string as is, anything else as JSON text). Throwing reports a failure the model can read.
using ToolFunction =
    std::function<boost::asio::awaitable<boost::json::value>(boost::json::object args, ToolContext ctx)>;

/// A cheap handle (copies share one definition). Thread safety: const, share freely.
class Tool {
 public:
  /// Defines a tool. `name` must match ^[a-zA-Z0-9_-]{1,64}$ (OpenAI's rule); `parameters` is a
  /// JSON Schema whose root is `"type": "object"`, compiled here with `schema_options`.
  /// Throws weft::Error: tools::error::invalid_tool (bad name, non-object root, empty function),
  /// tools::error::invalid_schema (the schema, message prefixed with the tool name).
  Tool(std::string name, std::string description, boost::json::value parameters, ToolFunction function,
       ToolEffects effects = ToolEffects::none, const SchemaOptions& schema_options = {});
  /// The same with a schema already made, e.g. JsonSchema::lazy() for a catalog of many tools
  /// (compiled on the first call's validation). Throws tools::error::invalid_tool as above; a lazy
  /// schema that does not compile fails check_arguments() and call() instead.
  Tool(std::string name, std::string description, JsonSchema parameters, ToolFunction function,
       ToolEffects effects = ToolEffects::none);

  const std::string& name() const noexcept;
  const std::string& description() const noexcept;
  /// The parameters schema as given.
  const boost::json::value& parameters() const noexcept;
  const JsonSchema& schema() const noexcept;
  ToolEffects effects() const noexcept;
  /// True unless effects() is ToolEffects::none.
  bool side_effecting() const noexcept;
  /// The body, unvalidated: prefer call().
  const ToolFunction& function() const noexcept;

  /// Every reason `args` is not acceptable (empty = acceptable). A non-object is one violation.
  std::vector<SchemaViolation> check_arguments(const boost::json::value& args) const;

  /// Validates `args`, then runs the function (directly: effect journaling is the tool node's
  /// job, see ToolEffects). Errors: weft::Error(tools::error::invalid_arguments) naming every
  /// offending field, before the function runs; whatever the function throws, unchanged.
  /// Completes on the awaiting coroutine's executor; cancellation is the function's. The
  /// awaitable holds its own reference to the definition: this handle need not outlive it.
  boost::asio::awaitable<boost::json::value> call(boost::json::value args, ToolContext ctx) const;

  /// {"type":"function","function":{"name","description","parameters"}} (OpenAI tools format).
  boost::json::object to_openai() const;

 private:
  struct Definition;
  std::shared_ptr<const Definition> definition_;
};

}  // namespace weft
