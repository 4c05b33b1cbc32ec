// SPDX-License-Identifier: MIT
#pragma once
// Send and Command: the control values nodes, routers and callers hand to the engine.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <vector>

namespace weft {

/// Schedules one task of `node` in the next superstep whose input (its StateView) is `arg`
/// instead of the graph state (map-reduce fan-out; LangGraph's Send). The task's update is
/// merged into the state through the channels like any other.
struct Send {
  std::string node{};
  boost::json::object arg{};

  friend bool operator==(const Send&, const Send&) = default;
};

/// Returned by a node instead of a plain update: state writes plus where to go next. Passed as
/// run input (CompiledGraph::resume) it carries the resume value for pending interrupts.
struct Command {
  /// Which graph `update`, `goto_nodes` and `sends` apply to.
  enum class Graph {
    current,  ///< the graph the node belongs to
    /// The graph running this one as a node (LangGraph's graph=Command.PARENT): this graph's run
    /// stops after the step, without its checkpoint, and its node in the parent finishes with
    /// this update, goto and sends (names of the parent's nodes; keys of the parent's state).
    /// Only the nearest parent; from a graph not running as a subgraph the node fails
    /// (engine::error::invalid_route). One task per step may send it.
    parent,
  };

  /// State writes, exactly as a node's plain update object.
  boost::json::object update{};
  /// Nodes to run next (in addition to the node's static edges). END is ignored.
  std::vector<std::string> goto_nodes{};
  /// Tasks to run next with their own input.
  std::vector<Send> sends{};
  /// Only as run input: the value interrupt() returns on resume. With several pending
  /// interrupts, an object {interrupt_id: value, ...}.
  std::optional<boost::json::value> resume{};
  /// Default: the node's own graph.
  Graph graph = Graph::current;
};

}  // namespace weft
