// SPDX-License-Identifier: MIT
// weft graphs, weft graph, weft tools: what can be run and called.

#include "cli/detail/commands.hpp"
#include "cli/exit_code.hpp"
#include "cli/runtime.hpp"
#include "cli/settings.hpp"
#include "cli/version.hpp"
#include "graphs/registry.hpp"

#include <boost/json/serialize.hpp>

namespace json = boost::json;

namespace weft::cli::detail {
namespace {

std::string property_line(const std::string& name, const json::object& property, bool required) {
  std::string type = property.contains("type") ? json::serialize(property.at("type")) : std::string("any");
  std::string line = "    " + name + " (" + type + (required ? ", required" : "") + ")";
  if (auto* d = property.if_contains("default")) line += " default " + json::serialize(*d);
  if (auto* text = property.if_contains("description"); text && text->is_string()) {
    line += ": " + std::string(text->as_string());
  }
  return line;
}

void print_inputs(std::ostream& out, const graphs::GraphDefinition& d) {
  std::vector<std::string> required;
  if (auto* r = d.input_schema.if_contains("required"); r && r->is_array()) {
    for (const auto& v : r->as_array()) required.emplace_back(v.as_string());
  }
  if (auto* props = d.input_schema.if_contains("properties"); props && props->is_object()) {
    for (const auto& [name, property] : props->as_object()) {
      bool is_required = std::find(required.begin(), required.end(), std::string(name)) != required.end();
      out << property_line(std::string(name), property.as_object(), is_required) << "\n";
    }
  }
}

int list_graphs(const Invocation& inv) {
  const graphs::GraphRegistry& registry = inv.graphs;
  if (inv.args.has("json")) {
    json::array a;
    for (const auto& d : registry.definitions()) {
      json::object o;
      o["name"] = d.name;
      o["description"] = d.description;
      o["input_schema"] = d.input_schema;
      a.push_back(std::move(o));
    }
    json::object result;
    result["version"] = weft_version();
    result["graphs"] = std::move(a);
    inv.out << json::serialize(result) << "\n";
    return kExitDone;
  }
  for (const auto& d : registry.definitions()) {
    inv.out << d.name << "\n  " << d.description << "\n  input:\n";
    print_inputs(inv.out, d);
  }
  inv.out << "Run one with: weft run GRAPH [--input JSON]\n";
  return kExitDone;
}

int show_graph(const Invocation& inv) {
  const graphs::GraphRegistry& registry = inv.graphs;
  const std::string name = inv.args.positional(0);
  const graphs::GraphDefinition* d = registry.find(name);
  if (!d) {
    std::string names;
    for (const auto& def : registry.definitions()) names += (names.empty() ? "" : ", ") + def.name;
    throw UsageError("no graph named '" + name + "'; the graphs are: " + names);
  }
  Runtime runtime(resolve_settings(inv.args, inv.env), inv.env);
  CompiledGraph graph = d->build(runtime.offline_shapes(), CompileOptions{});
  // --json wins over --mermaid: the object carries the flowchart too.
  if (inv.args.has("mermaid") && !inv.args.has("json")) {
    inv.out << graph.to_mermaid();
    return kExitDone;
  }
  if (inv.args.has("json")) {
    json::object o;
    o["version"] = weft_version();
    o["name"] = d->name;
    o["description"] = d->description;
    o["input_schema"] = d->input_schema;
    json::array nodes;
    for (const auto& n : graph.node_names()) nodes.emplace_back(n);
    o["nodes"] = std::move(nodes);
    o["mermaid"] = graph.to_mermaid();
    inv.out << json::serialize(o) << "\n";
    return kExitDone;
  }
  inv.out << d->name << ": " << d->description << "\nnodes:";
  for (const auto& n : graph.node_names()) inv.out << " " << n;
  inv.out << "\ninput:\n";
  print_inputs(inv.out, *d);
  inv.out << "(--mermaid prints the graph as a Mermaid flowchart)\n";
  return kExitDone;
}

int list_tools(const Invocation& inv) {
  const std::string format = inv.args.get_or("format", "text");
  if (format != "text" && format != "openai") throw UsageError("--format '" + format + "' is not one of text, openai");
  Runtime runtime(resolve_settings(inv.args, inv.env), inv.env);
  graphs::GraphServices services = runtime.offline_shapes();
  if (inv.args.has("json")) {
    json::object result;
    result["version"] = weft_version();
    if (format == "openai") {
      result["tools"] = services.crisp_tools.to_openai();
    } else {
      json::array tools;
      for (const auto& tool : services.crisp_tools.tools()) {
        json::object t;
        t["name"] = tool.name();
        t["access"] = tool.side_effecting() ? "write" : "read";
        t["description"] = tool.description();
        t["parameters"] = tool.parameters();
        tools.push_back(std::move(t));
      }
      result["tools"] = std::move(tools);
    }
    inv.out << json::serialize(result) << "\n";
    return kExitDone;
  }
  if (format == "openai") {
    inv.out << json::serialize(services.crisp_tools.to_openai()) << "\n";
    return kExitDone;
  }
  for (const auto& tool : services.crisp_tools.tools()) {
    std::string description = tool.description();
    auto dot = description.find(". ");
    if (dot != std::string::npos) description.resize(dot + 1);
    inv.out << (tool.side_effecting() ? "write " : "read  ") << tool.name() << "\n      " << description << "\n";
  }
  inv.out << services.crisp_tools.size() << " Crisp tools; each graph allows only the write tools it needs.\n";
  return kExitDone;
}

}  // namespace

Command graphs_command() {
  return {{"graphs", "List the built-in graphs with their inputs.", {}, {json_option()}, ""}, list_graphs};
}

Command graph_command() {
  return {{"graph",
           "Describe one graph: its nodes and input, or its Mermaid flowchart.",
           {{"GRAPH", "the graph name", true}},
           {{"mermaid", "", "print the graph as a Mermaid flowchart (with --json: the object, which holds it)"},
            json_option()},
           ""},
          show_graph};
}

Command tools_command() {
  return {{"tools",
           "List the Crisp tools the graphs and agents use.",
           {},
           {{"format", "text|openai", "text (default), or the OpenAI function-calling JSON array"}, json_option()},
           ""},
          list_tools};
}

}  // namespace weft::cli::detail
