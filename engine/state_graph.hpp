// SPDX-License-Identifier: MIT
#pragma once
// StateGraph: the mutable builder of a graph. Add nodes and edges, then compile() into an
// immutable CompiledGraph. A builder is not thread-safe; the compiled graph is.
// (The ```cpp blocks of public headers are compiled as written by tests/docs.)
//
// ```cpp
//   weft::StateGraph g({{"count", weft::Channel::counter()}}, "loop");
//   g.add_node("inc", [](weft::StateView, weft::NodeContext) { return boost::json::object{{"count", 1}}; });
//   g.add_edge(weft::START, "inc");
//   g.add_conditional_edges("inc", [](weft::StateView s) -> weft::Route {
//     return s.get_int("count") < 3 ? "inc" : weft::END; }, {"inc", weft::END});
//   auto graph = g.compile();
// ```
//
// Errors: building (add_node, add_edge, ...) never throws for a wrong name; compile() reports
// every problem of the graph by throwing weft::Error (see engine/README.md, "What throws").

#include "engine/channel.hpp"
#include "engine/checkpointer.hpp"
#include "engine/compiled_graph.hpp"
#include "engine/effect_journal.hpp"
#include "engine/node.hpp"
#include "engine/node_name.hpp"
#include "engine/retry_policy.hpp"
#include "engine/special_nodes.hpp"
#include "engine/store.hpp"

#include <concepts>
#include <initializer_list>
#include <map>
#include <memory>
#include <ranges>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weft {

/// A range of node names (std::vector<std::string>, std::array<std::string_view, N>, ...). A
/// braced list is not one (a template cannot be deduced from it): the std::initializer_list
/// overloads take those.
template <class R>
concept NodeNameRange = std::ranges::input_range<R> && std::convertible_to<std::ranges::range_reference_t<R>, NodeName>;

/// Options of compile(). Every field documents its default. Every field has a default member
/// initializer, so designated initializers naming only some fields (`compile({.checkpointer =
/// store})`) compile without -Wmissing-field-initializers.
struct CompileOptions {
  /// Where runs checkpoint; RunConfig::checkpointer overrides it. Default: none (no persistence:
  /// interrupts and resume are unavailable).
  std::shared_ptr<Checkpointer> checkpointer{};
  /// The effect journal; default: none (see RunConfig::effect_journal for the fallback).
  std::shared_ptr<EffectJournal> effect_journal{};
  /// Pause before / after these nodes run ("*" = all). Default: none.
  std::vector<std::string> interrupt_before{};
  std::vector<std::string> interrupt_after{};
  /// Retry policy of nodes that have none. Default: none.
  std::optional<RetryPolicy> default_retry{};
  /// Where nodes with a CachePolicy record and find their results. Default: none (no caching).
  std::shared_ptr<NodeCache> cache{};
  /// Long-term memory for NodeContext::store(); RunConfig::store overrides it. Default: none.
  std::shared_ptr<Store> store{};
};

class StateGraph {
 public:
  /// `schema` maps each state key to its channel; `name` appears in errors, checkpoint metadata
  /// and Mermaid output.
  explicit StateGraph(Schema schema, std::string name = "graph");
  ~StateGraph();
  StateGraph(StateGraph&&) noexcept;
  StateGraph& operator=(StateGraph&&) noexcept;

  /// Declares (or redeclares) one state key.
  StateGraph& add_channel(std::string key, Channel channel);

  /// Adds a node: a NodeLike, AsyncNodeLike or CompiledGraph (a subgraph: it gets the parent's
  /// state keys that are in its schema, runs in the parent's thread with its own checkpoint
  /// namespace "node:task_id", and its final values for keys of the parent schema become the
  /// node's update; its interrupts pause the parent). Problems (duplicate or reserved names) are
  /// reported by compile().
  template <class F>
  requires NodeLike<F> || AsyncNodeLike<F> StateGraph& add_node(std::string name, F fn, NodeOptions options = {}) {
    return add_node_function(std::move(name), make_node_function(std::move(fn)), std::move(options));
  }
  StateGraph& add_node(std::string name, CompiledGraph subgraph, NodeOptions options = {});
  StateGraph& add_node_function(std::string name, NodeFunction fn, NodeOptions options = {});

  /// After `from` finishes, `to` runs in the next step. `from` may be START; `to` may be END.
  StateGraph& add_edge(NodeName from, NodeName to);
  /// Wait-for-all: `to` runs in the step after every node of `from` has finished (in any steps
  /// since `to` last ran). `add_edge({"a", "b"}, "c")`, or any range of names.
  StateGraph& add_edge(std::initializer_list<NodeName> from, NodeName to);
  template <class Names>
  requires NodeNameRange<Names> StateGraph& add_edge(const Names& from, NodeName to) {
    std::vector<std::string> sources;
    for (auto&& name : from) sources.push_back(NodeName(name).str());
    return add_join(std::move(sources), std::move(to).str());
  }

  /// After `from` finishes, `router` (seeing the state with `from`'s own writes applied) returns
  /// the next node(s) or Sends. Names are looked up in `path_map` (route value -> node, e.g.
  /// `{{"yes", "a"}, {"no", "b"}}`) when one is given (END is always accepted); otherwise they
  /// must be node names or END. `from` may be START (a conditional entry).
  template <class R>
  requires RouterLike<R> StateGraph& add_conditional_edges(NodeName from, R router,
                                                           std::map<std::string, std::string> path_map = {}) {
    return add_router(std::move(from).str(), RouterFunction([router = std::move(router)](StateView state) mutable {
                        return Route(router(std::move(state)));
                      }),
                      std::move(path_map));
  }
  /// Same, with the possible destinations listed (each maps to itself): `{"b", "c"}`, or any
  /// range of names.
  template <class R>
  requires RouterLike<R> StateGraph& add_conditional_edges(NodeName from, R router,
                                                           std::initializer_list<NodeName> destinations) {
    return add_conditional_edges(std::move(from), std::move(router), identity_path_map(destinations));
  }
  template <class R, class Names>
  requires RouterLike<R> && NodeNameRange<Names> StateGraph& add_conditional_edges(NodeName from, R router,
                                                                                   const Names& destinations) {
    return add_conditional_edges(std::move(from), std::move(router), identity_path_map(destinations));
  }
  StateGraph& add_router(std::string from, RouterFunction router, std::map<std::string, std::string> path_map);

  StateGraph& set_entry_point(NodeName node) { return add_edge(START, std::move(node)); }
  StateGraph& set_finish_point(NodeName node) { return add_edge(std::move(node), END); }

  /// Validates and freezes the graph. Throws weft::Error (engine::error::invalid_graph) naming
  /// the culprit: a duplicate or reserved node name, an edge naming an unknown node, an edge
  /// from END or to START, no edge from START, a node no path from START reaches, a reducer
  /// channel without a reducer, interrupt_before/after naming an unknown node.
  /// The builder stays usable (compile again after more changes).
  CompiledGraph compile(CompileOptions options = {}) const;

 private:
  StateGraph& add_join(std::vector<std::string> from, std::string to);
  template <class Names>
  static std::map<std::string, std::string> identity_path_map(const Names& destinations) {
    std::map<std::string, std::string> path_map;
    for (auto&& d : destinations) {
      std::string name = NodeName(d).str();
      path_map.emplace(name, name);
    }
    return path_map;
  }

  std::unique_ptr<detail::GraphDef> def_;
};

}  // namespace weft
