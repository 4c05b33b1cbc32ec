// SPDX-License-Identifier: MIT
#pragma once
// The registry of graphs `weft` can run by name. No global registry: builtin_graphs() returns a
// value holding the five built-in graphs, and a program may add its own definitions to it.
//
// ```cpp
//   #include <weft/graphs/registry.hpp>
//   #include <weft/store/sqlite_store.hpp>
//
//   auto registry = weft::graphs::builtin_graphs();
//   const auto& def = registry.at("spam_triage");
//   weft::graphs::GraphServices services;  // the model and the Crisp tools the graph acts with
//   auto store = std::make_shared<weft::SqliteStore>("app.db");
//   auto graph = def.build(services, {.checkpointer = store});
//   weft::RunConfig config;
//   config.thread_id = "triage-1";
//   auto result = graph.invoke(def.make_input(boost::json::object{{"limit", 10}}), config);
// ```

#include "engine/compiled_graph.hpp"
#include "engine/state_graph.hpp"
#include "nodes/model/chat_model.hpp"
#include "nodes/tools/json_schema.hpp"
#include "nodes/tools/tool_registry.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weft::graphs {

/// Sampling options the built-in graphs put on every model request. An unset field is not sent
/// at all (the model's own default applies), so models that accept only their default
/// temperature (OpenAI o-series, gpt-5) work. `weft run --temperature/--max-tokens` (or
/// WEFT_TEMPERATURE / WEFT_MAX_TOKENS) set them.
struct ModelOptions {
  std::optional<double> temperature;       ///< ChatRequest::temperature. Default unset.
  std::optional<std::int64_t> max_tokens;  ///< ChatRequest::max_tokens (a cap on generated tokens). Default unset.
};

/// What a built-in graph is given to act with. Never global; passed to build().
struct GraphServices {
  /// The model for classification, extraction and drafting (OfflineModel when no LLM is
  /// configured). Required.
  std::shared_ptr<ChatModel> model;
  /// Every Crisp tool, bound to one website (nodes/crisp/register.hpp). Each graph takes the
  /// allow-list view it needs; a graph never sees tools outside it. Required.
  ToolRegistry crisp_tools;
  /// Temperature and token cap of the graphs' model calls. Default: both unset (not sent).
  ModelOptions model_options;
};

/// A graph that can be run by name.
struct GraphDefinition {
  std::string name;
  std::string description;  ///< one line, shown by `weft graphs`
  /// JSON Schema of the run input (an object). Top-level "default"s are applied by make_input().
  boost::json::object input_schema;
  /// Builds and compiles the graph on `services`. Throws weft::Error (unknown tool in the
  /// graph's allow-list, invalid graph).
  std::function<CompiledGraph(const GraphServices& services, CompileOptions options)> build;

  /// Validates `input` (an object, or null for {}) against input_schema, fills in the defaults
  /// of absent top-level properties, and returns the run input: {"input": <validated input>}.
  /// Throws weft::Error(graphs::error::invalid_input) naming every offending field.
  boost::json::object make_input(const boost::json::value& input) const;
};

/// Graphs by name, in registration order. Cheap to copy. Thread safety: const members may run
/// concurrently; add() needs exclusive access.
///
/// The lookups return references into the registry, so they exist only on a registry that
/// outlives them: on a temporary (`builtin_graphs().at("x")`) they are deleted, because the
/// reference would dangle at the end of the statement. Keep the registry in a variable, or copy
/// the definition out (`GraphDefinition def = builtin_graphs().get("x");`).
class GraphRegistry {
 public:
  /// Adds `definition`. Throws weft::Error(graphs::error::unknown_graph) when the name is taken
  /// or empty, or when build is empty.
  GraphRegistry& add(GraphDefinition definition);
  /// The definition named `name`, or nullptr. Valid while this registry lives unchanged.
  [[nodiscard]] const GraphDefinition* find(std::string_view name) const& noexcept;
  const GraphDefinition* find(std::string_view name) const&& = delete;
  /// The definition named `name`; throws weft::Error(graphs::error::unknown_graph) listing the
  /// registered names. Valid while this registry lives unchanged.
  [[nodiscard]] const GraphDefinition& at(std::string_view name) const&;
  const GraphDefinition& at(std::string_view name) const&& = delete;
  /// A copy of the definition named `name` (it owns everything it needs, so it may outlive the
  /// registry, e.g. `builtin_graphs().get("spam_triage")`); throws as at().
  [[nodiscard]] GraphDefinition get(std::string_view name) const;
  [[nodiscard]] const std::vector<GraphDefinition>& definitions() const& noexcept { return definitions_; }
  const std::vector<GraphDefinition>& definitions() const&& = delete;

 private:
  std::vector<GraphDefinition> definitions_;
};

/// A registry holding spam_triage, vip_outreach, kb_enrichment, support_agent and live_reply, returned by
/// value: keep it in a variable before taking references into it (see GraphRegistry).
[[nodiscard]] GraphRegistry builtin_graphs();

}  // namespace weft::graphs
