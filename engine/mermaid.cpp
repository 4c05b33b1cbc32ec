// SPDX-License-Identifier: MIT
// CompiledGraph::to_mermaid: a Mermaid flowchart of the graph's structure.
#include "engine/compiled_graph.hpp"

#include "engine/detail/graph_def.hpp"

#include <cctype>
#include <set>
#include <sstream>

namespace weft {
namespace {

// Mermaid ids must be plain words; the label keeps the real name.
std::string mermaid_id(std::string_view name) {
  if (name == START) return "__start__";
  if (name == END) return "__end__";
  std::string id = "n_";
  for (char c : name) id += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return id;
}

std::string label(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '"')
      out += "#quot;";
    else
      out += c;
  }
  return out;
}

}  // namespace

std::string CompiledGraph::to_mermaid() const {
  const detail::GraphDef& def = *def_;
  std::ostringstream out;
  out << "graph TD;\n";
  out << "  __start__([\"START\"]):::first\n";
  for (const detail::NodeDef& node : def.nodes) {
    out << "  " << mermaid_id(node.name) << "[\"" << label(node.name) << (node.subgraph ? " (subgraph)" : "")
        << "\"]\n";
  }
  out << "  __end__([\"END\"]):::last\n";
  const std::size_t n = def.nodes.size();
  auto name_of = [&](std::size_t i) -> std::string_view {
    return i == n ? START : std::string_view(def.nodes[i].name);
  };
  for (std::size_t i = 0; i <= n; ++i) {
    for (const std::string& to : def.static_next[i])
      out << "  " << mermaid_id(name_of(i)) << " --> " << mermaid_id(to) << ";\n";
    for (std::size_t r : def.routers_of[i]) {
      const detail::RouterDef& router = def.routers[r];
      if (router.path_map.empty()) {
        for (const detail::NodeDef& node : def.nodes)
          out << "  " << mermaid_id(name_of(i)) << " -.-> " << mermaid_id(node.name) << ";\n";
        out << "  " << mermaid_id(name_of(i)) << " -.-> __end__;\n";
      } else {
        for (const auto& [key, target] : router.path_map) {
          out << "  " << mermaid_id(name_of(i)) << " -.->";
          if (key != target) out << "|\"" << label(key) << "\"|";
          out << " " << mermaid_id(target) << ";\n";
        }
      }
    }
    if (i < n) {
      for (const std::string& d : def.nodes[i].options.destinations)
        out << "  " << mermaid_id(name_of(i)) << " -.-> " << mermaid_id(d) << ";\n";
    }
  }
  for (const detail::JoinDef& join : def.joins) {
    for (const std::string& source : join.sources)
      out << "  " << mermaid_id(source) << " ==> " << mermaid_id(join.target) << ";\n";
  }
  out << "  classDef first fill-opacity:0\n  classDef last fill:#bfb6fc\n";
  return out.str();
}

}  // namespace weft
