// SPDX-License-Identifier: MIT
#pragma once
// StateGraph: the mutable builder of a graph. Add nodes and edges, then compile() into an
// immutable CompiledGraph. A builder is not thread-safe; the compiled graph is.
//
//   weft::StateGraph g({{"count", weft::Channel::counter()}}, "loop");
//   g.add_node("inc", [](weft::StateView, weft::NodeContext) { return boost::json::object{{"count", 1}}; });
//   g.add_edge(weft::START, "inc");
//   g.add_conditional_edges("inc", [](weft::StateView s) -> weft::Route {
//     return s.get_int("count") < 3 ? "inc" : weft::END; });
//   auto graph = g.compile();

#include "engine/channel.hpp"
#include "engine/checkpointer.hpp"
#include "engine/compiled_graph.hpp"
#include "engine/effect_journal.hpp"
#include "engine/node.hpp"
#include "engine/retry_policy.hpp"
#include "engine/special_nodes.hpp"
#include "engine/store.hpp"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weft {

/// Options of compile(). Every field documents its default.
struct CompileOptions {
  /// Where runs checkpoint; RunConfig::checkpointer overrides it. Default: none (no persistence:
  /// interrupts and resume are unavailable).
  std::shared_ptr<Checkpointer> checkpointer;
  /// The effect journal; default: none (see RunConfig::effect_journal for the fallback).
  std::shared_ptr<EffectJournal> effect_journal;
  /// Pause before / after these nodes run ("*" = all). Default: none.
  std::vector<std::string> interrupt_before;
  std::vector<std::string> interrupt_after;
  /// Retry policy of nodes that have none. Default: none.
  std::optional<RetryPolicy> default_retry;
  /// Where nodes with a CachePolicy record and find their results. Default: none (no caching).
  std::shared_ptr<NodeCache> cache;
  /// Long-term memory for NodeContext::store(); RunConfig::store overrides it. Default: none.
  std::shared_ptr<Store> store;
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
    requires NodeLike<F> || AsyncNodeLike<F>
  StateGraph& add_node(std::string name, F fn, NodeOptions options = {}) {
    return add_node_function(std::move(name), make_node_function(std::move(fn)), std::move(options));
  }
  StateGraph& add_node(std::string name, CompiledGraph subgraph, NodeOptions options = {});
  StateGraph& add_node_function(std::string name, NodeFunction fn, NodeOptions options = {});

  /// After `from` finishes, `to` runs in the next step. `from` may be START; `to` may be END.
  StateGraph& add_edge(std::string from, std::string to);
  /// Wait-for-all: `to` runs in the step after every node of `from` has finished (in any steps
  /// since `to` last ran).
  StateGraph& add_edge(std::vector<std::string> from, std::string to);

  /// After `from` finishes, `router` (seeing the state with `from`'s own writes applied) returns
  /// the next node(s) or Sends. Names are looked up in `path_map` (route value -> node) when
  /// one is given (END is always accepted); otherwise they must be node names or END.
  template <class R>
    requires RouterLike<R>
  StateGraph& add_conditional_edges(std::string from, R router, std::map<std::string, std::string> path_map = {}) {
    return add_router(std::move(from), RouterFunction([router = std::move(router)](StateView state) mutable {
                        return Route(router(std::move(state)));
                      }),
                      std::move(path_map));
  }
  /// Same, with the possible destinations listed (each maps to itself).
  template <class R>
    requires RouterLike<R>
  StateGraph& add_conditional_edges(std::string from, R router, std::vector<std::string> destinations) {
    std::map<std::string, std::string> path_map;
    for (auto& d : destinations) path_map.emplace(d, d);
    return add_conditional_edges(std::move(from), std::move(router), std::move(path_map));
  }
  StateGraph& add_router(std::string from, RouterFunction router, std::map<std::string, std::string> path_map);

  StateGraph& set_entry_point(std::string node) { return add_edge(std::string(START), std::move(node)); }
  StateGraph& set_finish_point(std::string node) { return add_edge(std::move(node), std::string(END)); }

  /// Validates and freezes the graph. Throws weft::Error (engine::error::invalid_graph) naming
  /// the culprit: a duplicate or reserved node name, an edge naming an unknown node, an edge
  /// from END or to START, no edge from START, a node no path from START reaches, a reducer
  /// channel without a reducer, interrupt_before/after naming an unknown node.
  /// The builder stays usable (compile again after more changes).
  CompiledGraph compile(CompileOptions options = {}) const;

 private:
  std::unique_ptr<detail::GraphDef> def_;
};

}  // namespace weft
