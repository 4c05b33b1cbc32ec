// SPDX-License-Identifier: MIT
#include "engine/state_graph.hpp"

#include "engine/detail/graph_def.hpp"
#include "engine/detail/run_state.hpp"
#include "engine/error.hpp"

#include <algorithm>
#include <deque>
#include <set>

namespace weft {
namespace detail {

const NodeDef* GraphDef::find_node(std::string_view name) const {
  auto it = node_index.find(std::string(name));
  return it == node_index.end() ? nullptr : &nodes[it->second];
}

}  // namespace detail

namespace {

[[noreturn]] void invalid(const detail::GraphDef& def, const std::string& what) {
  throw Error(engine::error::invalid_graph, "graph '" + def.name + "': " + what);
}

bool reserved(std::string_view name) { return name == START || name == END; }

std::string quoted(std::string_view name) {
  if (name == START) return "START";
  if (name == END) return "END";
  return "'" + std::string(name) + "'";
}

}  // namespace

StateGraph::StateGraph(Schema schema, std::string name) : def_(std::make_unique<detail::GraphDef>()) {
  def_->name = std::move(name);
  def_->schema = std::move(schema);
}

StateGraph::~StateGraph() = default;
StateGraph::StateGraph(StateGraph&&) noexcept = default;
StateGraph& StateGraph::operator=(StateGraph&&) noexcept = default;

StateGraph& StateGraph::add_channel(std::string key, Channel channel) {
  def_->schema.insert_or_assign(std::move(key), std::move(channel));
  return *this;
}

StateGraph& StateGraph::add_node_function(std::string name, NodeFunction fn, NodeOptions options) {
  def_->nodes.push_back(detail::NodeDef{std::move(name), std::move(fn), std::move(options), nullptr});
  return *this;
}

StateGraph& StateGraph::add_node(std::string name, CompiledGraph subgraph, NodeOptions options) {
  std::shared_ptr<const detail::GraphDef> sub = detail::CompiledGraphInternal::def(subgraph);
  NodeFunction fn;
  fn.async = [sub](StateView state, NodeContext context) {
    return detail::run_subgraph_node(sub, std::move(state), std::move(context));
  };
  def_->nodes.push_back(detail::NodeDef{std::move(name), std::move(fn), std::move(options), sub});
  return *this;
}

StateGraph& StateGraph::add_edge(NodeName from, NodeName to) {
  def_->edges.emplace_back(std::move(from).str(), std::move(to).str());
  return *this;
}

StateGraph& StateGraph::add_edge(std::initializer_list<NodeName> from, NodeName to) {
  std::vector<std::string> sources;
  for (const NodeName& name : from) sources.push_back(name.str());
  return add_join(std::move(sources), std::move(to).str());
}

StateGraph& StateGraph::add_join(std::vector<std::string> from, std::string to) {
  std::sort(from.begin(), from.end());
  from.erase(std::unique(from.begin(), from.end()), from.end());
  std::string key = "join:";
  for (std::size_t i = 0; i < from.size(); ++i) key += (i ? "+" : "") + from[i];
  key += ":" + to;
  def_->joins.push_back(detail::JoinDef{std::move(from), std::move(to), std::move(key)});
  return *this;
}

StateGraph& StateGraph::add_router(std::string from, RouterFunction router,
                                   std::map<std::string, std::string> path_map) {
  def_->routers.push_back(detail::RouterDef{std::move(from), std::move(router), std::move(path_map)});
  return *this;
}

CompiledGraph StateGraph::compile(CompileOptions options) const {
  auto def = std::make_shared<detail::GraphDef>(*def_);
  def->options = std::move(options);

  for (const auto& [key, channel] : def->schema) {
    if (channel.kind == ChannelKind::reducer && !channel.reducer)
      invalid(*def, "state key '" + key + "' has a reducer channel without a reducer function");
  }

  // Node names.
  for (std::size_t i = 0; i < def->nodes.size(); ++i) {
    const std::string& name = def->nodes[i].name;
    if (name.empty()) invalid(*def, "a node has an empty name");
    if (reserved(name)) invalid(*def, "node name '" + name + "' is reserved (START/END); rename the node");
    if (name.find('|') != std::string::npos)
      invalid(*def, "node name '" + name + "' contains '|', which separates checkpoint namespaces");
    if (!def->node_index.emplace(name, i).second)
      invalid(*def, "node '" + name + "' is added twice; node names must be unique");
    const detail::NodeDef& node = def->nodes[i];
    if (!node.fn.sync && !node.fn.async) invalid(*def, "node '" + name + "' has no function");
    def->has_deferred_nodes = def->has_deferred_nodes || node.options.defer;
  }
  auto known = [&](std::string_view name) { return def->node_index.count(std::string(name)) != 0; };

  const std::size_t n = def->nodes.size();
  def->static_next.assign(n + 1, {});
  def->routers_of.assign(n + 1, {});
  def->joins_of.assign(n + 1, {});
  auto index_of = [&](std::string_view name) { return name == START ? n : def->node_index.at(std::string(name)); };

  for (const auto& [from, to] : def->edges) {
    if (from == END) invalid(*def, "edge from END to " + quoted(to) + ": END has no outgoing edges");
    if (to == START) invalid(*def, "edge from " + quoted(from) + " to START: START cannot be a target");
    if (from != START && !known(from))
      invalid(*def, "edge " + quoted(from) + " -> " + quoted(to) + " starts at unknown node '" + from + "'");
    if (to != END && !known(to))
      invalid(*def, "edge " + quoted(from) + " -> " + quoted(to) + " ends at unknown node '" + to + "'");
    auto& next = def->static_next[index_of(from)];
    if (std::find(next.begin(), next.end(), to) == next.end()) next.push_back(to);
  }
  for (std::size_t j = 0; j < def->joins.size(); ++j) {
    const detail::JoinDef& join = def->joins[j];
    if (join.sources.empty()) invalid(*def, "wait-for-all edge to " + quoted(join.target) + " has no sources");
    if (join.target == START) invalid(*def, "wait-for-all edge to START: START cannot be a target");
    if (join.target != END && !known(join.target))
      invalid(*def, "wait-for-all edge ends at unknown node '" + join.target + "'");
    for (const std::string& source : join.sources) {
      if (source == END)
        invalid(*def, "wait-for-all edge from END to " + quoted(join.target) + ": END has no outgoing edges");
      if (source == START) invalid(*def, "wait-for-all edge from START: use add_edge(START, node) instead");
      if (!known(source))
        invalid(*def, "wait-for-all edge to " + quoted(join.target) + " starts at unknown node '" + source + "'");
      def->joins_of[index_of(source)].push_back(j);
    }
  }
  for (std::size_t r = 0; r < def->routers.size(); ++r) {
    const detail::RouterDef& router = def->routers[r];
    if (router.from == END) invalid(*def, "conditional edge from END: END has no outgoing edges");
    if (router.from != START && !known(router.from))
      invalid(*def, "conditional edge starts at unknown node '" + router.from + "'");
    if (!router.router) invalid(*def, "conditional edge from " + quoted(router.from) + " has no router function");
    for (const auto& [label, target] : router.path_map) {
      if (target != END && !known(target))
        invalid(*def, "conditional edge from " + quoted(router.from) + " maps '" + label + "' to unknown node '" +
                          target + "'");
    }
    def->routers_of[index_of(router.from)].push_back(r);
  }
  for (const detail::NodeDef& node : def->nodes) {
    for (const std::string& d : node.options.destinations) {
      if (d != END && !known(d)) invalid(*def, "node '" + node.name + "' lists unknown destination '" + d + "'");
    }
  }
  auto check_breakpoints = [&](const std::vector<std::string>& names, bool& all, auto& set, const char* what) {
    for (const std::string& name : names) {
      if (name == "*") {
        all = true;
      } else if (!known(name)) {
        invalid(*def, std::string(what) + " names unknown node '" + name + "'");
      } else {
        set.insert(name);
      }
    }
  };
  check_breakpoints(def->options.interrupt_before, def->interrupt_before_all, def->interrupt_before,
                    "interrupt_before");
  check_breakpoints(def->options.interrupt_after, def->interrupt_after_all, def->interrupt_after, "interrupt_after");

  if (def->static_next[n].empty() && def->routers_of[n].empty())
    invalid(*def, "no entry point: add an edge from START (add_edge(START, \"first_node\"))");

  // Reachability from START over every edge kind. A router without a path map may go anywhere.
  std::vector<bool> seen(n + 1, false);
  std::deque<std::size_t> queue{n};
  seen[n] = true;
  auto visit = [&](std::string_view name) {
    if (name == END || !known(name)) return;
    std::size_t i = index_of(name);
    if (!seen[i]) {
      seen[i] = true;
      queue.push_back(i);
    }
  };
  while (!queue.empty()) {
    std::size_t i = queue.front();
    queue.pop_front();
    for (const std::string& to : def->static_next[i]) visit(to);
    for (std::size_t r : def->routers_of[i]) {
      const detail::RouterDef& router = def->routers[r];
      if (router.path_map.empty()) {
        for (const detail::NodeDef& node : def->nodes) visit(node.name);
      } else {
        for (const auto& [label, target] : router.path_map) visit(target);
      }
    }
    for (std::size_t j : def->joins_of[i]) visit(def->joins[j].target);
    if (i < n) {
      for (const std::string& d : def->nodes[i].options.destinations) visit(d);
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (!seen[i])
      invalid(*def, "node '" + def->nodes[i].name +
                        "' is unreachable from START; add an edge to it, list it in a router's path map, or in "
                        "NodeOptions::destinations of a node that goes to it by Command or Send");
  }
  return detail::CompiledGraphInternal::make(std::move(def));
}

}  // namespace weft
