// SPDX-License-Identifier: MIT
// Assistants: the registered graphs, read-only. POST /assistants/search, /assistants/count,
// GET /assistants/{id}, /graph, /schemas, /subgraphs.
#include "engine/special_nodes.hpp"
#include "server/detail/router.hpp"
#include "server/detail/state.hpp"

#include <cctype>
#include <map>
#include <sstream>

namespace json = boost::json;
namespace net = boost::asio;

namespace weft::server::detail {
namespace {

json::object assistant_json(const Assistant& a) {
  json::object o;
  o["assistant_id"] = a.assistant_id;
  o["graph_id"] = a.definition->name;
  o["name"] = a.definition->name;
  o["description"] = a.definition->description;
  o["config"] = json::object();
  o["context"] = json::object();
  o["metadata"] = json::object{{"created_by", "system"}};
  o["version"] = 1;
  o["created_at"] = iso_time(a.created_at_ms);
  o["updated_at"] = iso_time(a.created_at_ms);
  return o;
}

// Nodes and edges from the graph's Mermaid text (the engine's one public view of its edges):
// lines "  A --> B;" (static) and "  A -.-> B;" or "  A -.->|"label"| B;" (conditional).
json::object graph_json(const CompiledGraph& graph) {
  std::map<std::string, std::string> name_of_id{{"__start__", "__start__"}, {"__end__", "__end__"}};
  json::array nodes;
  auto add_node = [&](const std::string& name) {
    json::object n;
    n["id"] = name;
    n["type"] = name == "__start__" || name == "__end__" ? "schema" : "runnable";
    n["data"] = json::object{{"id", name}, {"name", name}};
    nodes.push_back(std::move(n));
  };
  add_node("__start__");
  for (const std::string& name : graph.node_names()) {
    std::string id = "n_";
    for (char c : name) id += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    name_of_id[id] = name;
    add_node(name);
  }
  add_node("__end__");
  json::array edges;
  std::istringstream lines(graph.to_mermaid());
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string from, arrow, to;
    words >> from >> arrow;
    if (arrow != "-->" && arrow.rfind("-.->", 0) != 0) continue;
    std::string rest;
    std::getline(words, rest);
    // The target is the last word, without the trailing ';'.
    std::size_t end = rest.find_last_not_of(" ;");
    std::size_t begin = rest.find_last_of(' ', end);
    to =
        rest.substr(begin == std::string::npos ? 0 : begin + 1, end - (begin == std::string::npos ? 0 : begin + 1) + 1);
    if (to.empty() && arrow.size() > 4) to = arrow.substr(arrow.rfind('|') + 1);
    auto f = name_of_id.find(from);
    auto t = name_of_id.find(to);
    if (f == name_of_id.end() || t == name_of_id.end()) continue;
    json::object e;
    e["source"] = f->second;
    e["target"] = t->second;
    e["conditional"] = arrow != "-->";
    edges.push_back(std::move(e));
  }
  return json::object{{"nodes", std::move(nodes)}, {"edges", std::move(edges)}};
}

json::object state_schema(const Assistant& a) {
  json::object properties;
  for (const auto& [key, channel] : a.graph->schema()) {
    json::object p;
    p["x-weft-channel"] = std::string(to_string(channel.kind));
    properties[key] = std::move(p);
  }
  return json::object{
      {"type", "object"}, {"title", a.definition->name + "_state"}, {"properties", std::move(properties)}};
}

}  // namespace

void add_assistant_routes(Router& router) {
  auto search = [](ServerState& s, Exchange& ex, bool count) {
    const json::object& body = ex.body();
    auto graph_id = string_field(body, "graph_id");
    auto name = string_field(body, "name");
    json::object metadata = object_field(body, "metadata");
    const std::int64_t limit = int_field(body, "limit", 10, 1, 1000);
    const std::int64_t offset = int_field(body, "offset", 0, 0, 1'000'000);
    json::array out;
    std::int64_t seen = 0;
    for (const Assistant& a : s.assistants) {
      if (graph_id && a.definition->name != *graph_id) continue;
      if (name && a.definition->name.find(*name) == std::string::npos) continue;
      json::object shape = assistant_json(a);
      if (!matches(shape["metadata"].as_object(), metadata)) continue;
      if (seen++ < offset || static_cast<std::int64_t>(out.size()) >= limit) continue;
      out.push_back(std::move(shape));
    }
    if (count) {
      ex.reply(seen);
    } else {
      ex.reply(std::move(out));
    }
  };
  router.add(http::verb::post, "/assistants/search", [search](ServerState& s, Exchange& ex) -> net::awaitable<void> {
    search(s, ex, false);
    co_return;
  });
  router.add(http::verb::post, "/assistants/count", [search](ServerState& s, Exchange& ex) -> net::awaitable<void> {
    search(s, ex, true);
    co_return;
  });
  router.add(http::verb::get, "/assistants/{}", [](ServerState& s, Exchange& ex) -> net::awaitable<void> {
    ex.reply(assistant_json(s.assistant(ex.params[0])));
    co_return;
  });
  router.add(http::verb::get, "/assistants/{}/graph", [](ServerState& s, Exchange& ex) -> net::awaitable<void> {
    ex.reply(graph_json(*s.assistant(ex.params[0]).graph));
    co_return;
  });
  router.add(http::verb::get, "/assistants/{}/schemas", [](ServerState& s, Exchange& ex) -> net::awaitable<void> {
    const Assistant& a = s.assistant(ex.params[0]);
    json::object o;
    o["graph_id"] = a.definition->name;
    o["input_schema"] = a.definition->input_schema;
    o["output_schema"] = state_schema(a);
    o["state_schema"] = state_schema(a);
    o["config_schema"] = json::object{{"type", "object"}, {"properties", json::object()}};
    o["context_schema"] = nullptr;
    ex.reply(std::move(o));
    co_return;
  });
  router.add(http::verb::get, "/assistants/{}/subgraphs", [](ServerState& s, Exchange& ex) -> net::awaitable<void> {
    s.assistant(ex.params[0]);
    ex.reply(json::object());
    co_return;
  });
}

}  // namespace weft::server::detail
