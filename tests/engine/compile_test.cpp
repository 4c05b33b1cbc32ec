// SPDX-License-Identifier: MIT
// compile(): validation errors name the culprit; a valid graph compiles, exports Mermaid.

#include "support.hpp"

using namespace weft;
using namespace engine_test;

namespace {

StateGraph base() {
  StateGraph g({{"x", Channel::last_value()}}, "g");
  g.add_node("a", writes(R"({"x":1})"));
  return g;
}

}  // namespace

TEST_CASE("compile rejects an edge to an unknown node and names it") {
  StateGraph g = base();
  g.add_edge(std::string(START), "a");
  g.add_edge("a", "ghost");
  Error e = error_from([&] { g.compile(); });
  CHECK(e.code() == engine::error::invalid_graph);
  CHECK(std::string(e.what()) == "graph 'g': edge 'a' -> 'ghost' ends at unknown node 'ghost'");
}

TEST_CASE("compile rejects an edge from an unknown node and names it") {
  StateGraph g = base();
  g.add_edge(std::string(START), "a");
  g.add_edge("nobody", "a");
  Error e = error_from([&] { g.compile(); });
  CHECK(std::string(e.what()) == "graph 'g': edge 'nobody' -> 'a' starts at unknown node 'nobody'");
}

TEST_CASE("compile rejects a graph without an entry edge") {
  StateGraph g = base();
  g.add_edge("a", std::string(END));
  Error e = error_from([&] { g.compile(); });
  CHECK(e.code() == engine::error::invalid_graph);
  CHECK(contains(e.what(), "graph 'g': no entry point: add an edge from START"));
}

TEST_CASE("compile rejects an unreachable node and names it") {
  StateGraph g = base();
  g.add_node("island", writes(R"({"x":2})"));
  g.add_edge(std::string(START), "a");
  Error e = error_from([&] { g.compile(); });
  CHECK(contains(e.what(), "graph 'g': node 'island' is unreachable from START"));
}

TEST_CASE("compile accepts a node reachable only through declared Command destinations") {
  StateGraph g = base();
  NodeOptions options;
  options.destinations = {"island"};
  g.add_node("router", writes("{}"), options);
  g.add_node("island", writes(R"({"x":2})"));
  g.add_edge(std::string(START), "router");
  g.add_edge(std::string(START), "a");
  CHECK_NOTHROW(g.compile());
}

TEST_CASE("compile rejects a duplicate node name") {
  StateGraph g = base();
  g.add_node("a", writes(R"({"x":2})"));
  g.add_edge(std::string(START), "a");
  Error e = error_from([&] { g.compile(); });
  CHECK(std::string(e.what()) == "graph 'g': node 'a' is added twice; node names must be unique");
}

TEST_CASE("compile rejects an edge from END") {
  StateGraph g = base();
  g.add_edge(std::string(START), "a");
  g.add_edge(std::string(END), "a");
  Error e = error_from([&] { g.compile(); });
  CHECK(std::string(e.what()) == "graph 'g': edge from END to 'a': END has no outgoing edges");
}

TEST_CASE("compile rejects reserved node names") {
  StateGraph g({}, "g");
  g.add_node(std::string(END), writes("{}"));
  Error e = error_from([&] { g.compile(); });
  CHECK(std::string(e.what()) == "graph 'g': node name '__end__' is reserved (START/END); rename the node");
}

TEST_CASE("compile rejects a path map naming an unknown node") {
  StateGraph g = base();
  g.add_edge(std::string(START), "a");
  g.add_conditional_edges(
      "a", [](StateView) -> Route { return "next"; }, std::map<std::string, std::string>{{"next", "ghost"}});
  Error e = error_from([&] { g.compile(); });
  CHECK(std::string(e.what()) == "graph 'g': conditional edge from 'a' maps 'next' to unknown node 'ghost'");
}

TEST_CASE("compile rejects interrupt_before naming an unknown node") {
  StateGraph g = base();
  g.add_edge(std::string(START), "a");
  CompileOptions options;
  options.interrupt_before = {"ghost"};
  Error e = error_from([&] { g.compile(options); });
  CHECK(std::string(e.what()) == "graph 'g': interrupt_before names unknown node 'ghost'");
}

TEST_CASE("compile rejects a reducer channel without a reducer") {
  StateGraph g({{"r", Channel{ChannelKind::reducer, {}}}}, "g");
  g.add_node("a", writes("{}"));
  g.add_edge(std::string(START), "a");
  Error e = error_from([&] { g.compile(); });
  CHECK(std::string(e.what()) == "graph 'g': state key 'r' has a reducer channel without a reducer function");
}

TEST_CASE("a compiled graph is immutable: later builder changes do not affect it") {
  StateGraph g = base();
  g.add_edge(std::string(START), "a");
  CompiledGraph first = g.compile();
  g.add_node("b", writes(R"({"x":2})"));
  g.add_edge("a", "b");
  CompiledGraph second = g.compile();
  CHECK(first.node_names() == std::vector<std::string>{"a"});
  CHECK(second.node_names() == std::vector<std::string>{"a", "b"});
  CHECK(first.invoke(json::object()).values.at("x") == 1);
  CHECK(second.invoke(json::object()).values.at("x") == 2);
}

TEST_CASE("to_mermaid draws nodes, static, conditional and join edges") {
  StateGraph g({{"x", Channel::last_value()}}, "g");
  g.add_node("a", writes("{}"));
  g.add_node("b", writes("{}"));
  g.add_node("c", writes("{}"));
  g.add_edge(std::string(START), "a");
  g.add_conditional_edges(
      "a", [](StateView) -> Route { return "go"; },
      std::map<std::string, std::string>{{"go", "b"}, {"stop", std::string(END)}});
  g.add_edge(std::vector<std::string>{"a", "b"}, "c");
  std::string mermaid = g.compile().to_mermaid();
  CHECK(contains(mermaid, "graph TD;"));
  CHECK(contains(mermaid, "n_a[\"a\"]"));
  CHECK(contains(mermaid, "__start__ --> n_a;"));
  CHECK(contains(mermaid, "n_a -.->|\"go\"| n_b;"));
  CHECK(contains(mermaid, "n_a -.->|\"stop\"| __end__;"));
  CHECK(contains(mermaid, "n_b ==> n_c;"));
}
