// SPDX-License-Identifier: MIT
#pragma once
// The data behind StateGraph and CompiledGraph. Private to the engine.

#include "engine/state_graph.hpp"

#include <cstddef>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace weft::detail {

struct NodeDef {
  std::string name;
  NodeFunction fn;
  NodeOptions options;
  std::shared_ptr<const GraphDef> subgraph;  ///< set when the node is a compiled graph
};

struct RouterDef {
  std::string from;
  RouterFunction router;
  std::map<std::string, std::string> path_map;  ///< empty: names are node names
};

/// A wait-for-all edge: `target` triggers once every source has finished.
struct JoinDef {
  std::vector<std::string> sources;  ///< sorted, unique
  std::string target;
  std::string key;  ///< "join:a+b:c", the barrier's name in checkpoints
};

/// Sentinel index for START in per-node tables (nodes use 0..n-1).
struct GraphDef {
  std::string name;
  Schema schema;
  std::vector<NodeDef> nodes;
  std::vector<std::pair<std::string, std::string>> edges;
  std::vector<JoinDef> joins;
  std::vector<RouterDef> routers;

  // Filled by compile().
  CompileOptions options;
  std::unordered_map<std::string, std::size_t> node_index;
  /// Static successors (node names or END) per node index; index nodes.size() is START.
  std::vector<std::vector<std::string>> static_next;
  /// Router indices per node index (index nodes.size() is START).
  std::vector<std::vector<std::size_t>> routers_of;
  /// Join indices where the node is a source, per node index.
  std::vector<std::vector<std::size_t>> joins_of;
  /// Whether some node has NodeOptions::defer (the run loop then splits each step's plan).
  bool has_deferred_nodes = false;
  bool interrupt_before_all = false;
  bool interrupt_after_all = false;
  std::set<std::string, std::less<>> interrupt_before;
  std::set<std::string, std::less<>> interrupt_after;

  std::size_t start_index() const noexcept { return nodes.size(); }
  const NodeDef* find_node(std::string_view name) const;
};

/// Access to CompiledGraph's internals for engine code.
struct CompiledGraphInternal {
  static CompiledGraph make(std::shared_ptr<const GraphDef> def) { return CompiledGraph(std::move(def)); }
  static const std::shared_ptr<const GraphDef>& def(const CompiledGraph& graph) { return graph.def_; }
};

}  // namespace weft::detail
