// SPDX-License-Identifier: MIT
// Subgraphs: a compiled graph used as a node.

#include "support.hpp"

using namespace weft;
using namespace engine_test;

namespace {

CompiledGraph inner_graph() {
  StateGraph g({{"log", Channel::append()}, {"inner_only", Channel::last_value()}}, "inner");
  g.add_node("i1", [](StateView s, NodeContext) {
    return json::object{{"log", "i1 saw " + std::to_string(s.at("log").as_array().size())}, {"inner_only", 1}};
  });
  g.add_node("i2", writes(R"({"log":"i2"})"));
  g.add_edge(std::string(START), "i1");
  g.add_edge("i1", "i2");
  return g.compile();
}

}  // namespace

TEST_CASE("a subgraph node runs the inner graph on the shared keys and returns only its changes") {
  StateGraph g({{"log", Channel::append()}}, "outer");
  g.add_node("before", writes(R"({"log":"before"})"));
  g.add_node("sub", inner_graph());
  g.add_node("after", writes(R"({"log":"after"})"));
  g.add_edge(std::string(START), "before");
  g.add_edge("before", "sub");
  g.add_edge("sub", "after");
  RunResult result = g.compile().invoke(json::object());
  REQUIRE(result.status == RunStatus::done);
  CHECK(json::serialize(result.values.at("log")) == R"(["before","i1 saw 1","i2","after"])");
  CHECK_FALSE(result.values.contains("inner_only"));
}

TEST_CASE("a subgraph checkpoints under its own namespace in the parent's thread") {
  auto store = std::make_shared<MemoryCheckpointer>();
  std::vector<std::string> namespaces;
  StateGraph g({{"log", Channel::append()}}, "outer");
  g.add_node("sub", inner_graph());
  g.add_edge(std::string(START), "sub");
  RunConfig config = thread_config(store);
  config.stream_modes = static_cast<unsigned>(StreamMode::updates);
  config.stream = [&namespaces](const StreamEvent& e) { namespaces.push_back(e.ns); };
  RunResult result = g.compile().invoke(object(R"({"log":["start"]})"), config);
  CHECK(result.status == RunStatus::done);
  REQUIRE(namespaces.size() == 3);  // i1, i2 inside; sub outside
  CHECK(namespaces[0].starts_with("sub:"));
  CHECK(namespaces[2].empty());
  CHECK(store->checkpoint_count("t1", namespaces[0]) == 3);  // input, i1, i2
  CHECK(store->checkpoint_count("t1") == 2);
}

TEST_CASE("an interrupt inside a subgraph pauses the parent and resumes inside the subgraph") {
  auto store = std::make_shared<MemoryCheckpointer>();
  int i1_runs = 0;
  StateGraph inner({{"answer", Channel::last_value()}}, "inner");
  inner.add_node("i1", [&i1_runs](StateView, NodeContext) { ++i1_runs; });
  inner.add_node("ask", [](StateView, NodeContext ctx) {
    return json::object{{"answer", ctx.interrupt("inner question")}};
  });
  inner.add_edge(std::string(START), "i1");
  inner.add_edge("i1", "ask");
  StateGraph outer({{"answer", Channel::last_value()}}, "outer");
  outer.add_node("sub", inner.compile());
  outer.add_edge(std::string(START), "sub");
  auto graph = outer.compile();
  RunConfig config = thread_config(store);
  RunResult paused = graph.invoke(json::object(), config);
  REQUIRE(paused.status == RunStatus::interrupted);
  REQUIRE(paused.interrupts.size() == 1);
  CHECK(paused.interrupts[0].node == "ask");
  CHECK(paused.interrupts[0].ns.starts_with("sub:"));
  Command resume;
  resume.resume = json::value(42);
  RunResult done = graph.invoke_resume(resume, config);
  REQUIRE(done.status == RunStatus::done);
  CHECK(done.values.at("answer") == 42);
  CHECK(i1_runs == 1);  // the subgraph continued from its own checkpoint
}

TEST_CASE("a failing subgraph fails its parent node with the inner error") {
  StateGraph inner({}, "inner");
  inner.add_node("boom", [](StateView, NodeContext) { throw std::runtime_error("inner boom"); });
  inner.add_edge(std::string(START), "boom");
  StateGraph outer({}, "outer");
  outer.add_node("sub", inner.compile());
  outer.add_edge(std::string(START), "sub");
  RunResult result = outer.compile().invoke(json::object());
  REQUIRE(result.status == RunStatus::failed);
  CHECK(result.error->node == "sub");
  CHECK(contains(result.error->message, "inner boom"));
}

namespace {

Command to_parent(json::object update, std::vector<std::string> destinations) {
  Command command;
  command.graph = Command::Graph::parent;
  command.update = std::move(update);
  command.goto_nodes = std::move(destinations);
  return command;
}

// outer: START -> sub; sub may go (by a Command from inside) to "human"; "human" logs.
StateGraph outer_with(CompiledGraph sub) {
  StateGraph outer({{"log", Channel::append()}, {"route", Channel::last_value()}}, "outer");
  NodeOptions options;
  options.destinations = {"human"};
  outer.add_node("sub", std::move(sub), options);
  outer.add_node("human", [](StateView s, NodeContext) {
    return json::object{{"log", "human handles " + std::string(s.get_string("route"))}};
  });
  outer.add_edge(std::string(START), "sub");
  return outer;
}

}  // namespace

TEST_CASE("a Command for the parent graph ends the subgraph and routes the parent") {
  int after_escalate_runs = 0;
  StateGraph inner({{"log", Channel::append()}}, "inner");
  inner.add_node("i1", writes(R"({"log":"i1"})"));
  inner.add_node("escalate", [](StateView, NodeContext) {
    return to_parent(json::object{{"route", "billing"}, {"log", json::array{"escalated"}}}, {"human"});
  });
  inner.add_node("after_escalate", [&](StateView, NodeContext) {
    ++after_escalate_runs;
    return json::object{};
  });
  inner.add_edge(std::string(START), "i1");
  inner.add_edge("i1", "escalate");
  inner.add_edge("escalate", "after_escalate");

  const RunResult result = outer_with(inner.compile()).compile().invoke(json::object{});
  result.check();
  // The parent got the command's writes and goto; the subgraph's own changes (i1) stay inside.
  CHECK(result.values.at("log") == json::parse(R"(["escalated","human handles billing"])"));
  CHECK(result.values.at("route") == "billing");
  CHECK(after_escalate_runs == 0);
}

TEST_CASE("a Command for the parent graph from a graph that is not a subgraph fails the node, saying why") {
  StateGraph g({{"x", Channel::last_value()}}, "root");
  g.add_node("n", [](StateView, NodeContext) { return to_parent(json::object{{"x", 1}}, {}); });
  g.add_edge(std::string(START), "n");
  const RunResult result = g.compile().invoke(json::object{});
  REQUIRE(result.status == RunStatus::failed);
  CHECK(result.error->node == "n");
  CHECK(contains(result.error->message, "not running as a subgraph"));
}

TEST_CASE("a Command for the parent graph naming a node the parent lacks fails the subgraph node") {
  StateGraph inner({}, "inner");
  inner.add_node("go", [](StateView, NodeContext) { return to_parent({}, {"nowhere"}); });
  inner.add_edge(std::string(START), "go");
  const RunResult result = outer_with(inner.compile()).compile().invoke(json::object{});
  REQUIRE(result.status == RunStatus::failed);
  CHECK(result.error->node == "sub");
  CHECK(contains(result.error->message, "unknown node 'nowhere'"));
}

TEST_CASE("two tasks of one step sending Commands to the parent fail the step, naming both") {
  StateGraph inner({}, "inner");
  inner.add_node("a", [](StateView, NodeContext) { return to_parent({}, {"human"}); });
  inner.add_node("b", [](StateView, NodeContext) { return to_parent({}, {"human"}); });
  inner.add_edge(std::string(START), "a");
  inner.add_edge(std::string(START), "b");
  const RunResult result = outer_with(inner.compile()).compile().invoke(json::object{});
  REQUIRE(result.status == RunStatus::failed);
  CHECK(contains(result.error->message, "'a' and 'b' both returned a Command for the parent graph"));
}

TEST_CASE("a saved Command for the parent is taken from the subgraph's writes when its step runs again") {
  auto store = std::make_shared<MemoryCheckpointer>();
  int escalations = 0;
  bool sibling_fails = true;
  StateGraph inner({{"log", Channel::append()}}, "inner");
  inner.add_node("escalate", [&](StateView, NodeContext) {
    ++escalations;
    return to_parent(json::object{{"route", "sales"}}, {"human"});
  });
  inner.add_node("flaky", [&](StateView, NodeContext) -> json::object {
    if (sibling_fails) throw std::runtime_error("flaky sibling");
    return json::object{};
  });
  inner.add_edge(std::string(START), "escalate");
  inner.add_edge(std::string(START), "flaky");
  CompiledGraph graph = outer_with(inner.compile()).compile();
  const RunConfig config = thread_config(store, "parent-command");

  const RunResult failed = graph.invoke(json::object{}, config);
  REQUIRE(failed.status == RunStatus::failed);
  CHECK(contains(failed.error->message, "flaky sibling"));
  CHECK(escalations == 1);

  sibling_fails = false;
  const RunResult resumed = graph.invoke_resume(Command{}, config);
  resumed.check();
  CHECK(escalations == 1);  // its saved writes carried the command; only the sibling ran again
  CHECK(resumed.values.at("log") == json::parse(R"(["human handles sales"])"));
}
