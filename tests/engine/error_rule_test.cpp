// SPDX-License-Identifier: MIT
// The rule of engine/README.md ("What throws, and what comes back in RunResult"): a mistake of
// the caller throws before anything runs or is written; what happens inside the run comes back.

#include "support.hpp"

using namespace weft;
using namespace engine_test;

namespace {

// A graph that asks once, then records the answer; resumed threads end in "done".
CompiledGraph asking_graph(int& runs_of_ask) {
  StateGraph g({{"answer", Channel::last_value()}, {"count", Channel::counter()}}, "ask");
  g.add_node("ask",
             [&runs_of_ask](StateView, NodeContext ctx) {
               ++runs_of_ask;
               json::value answer = ctx.interrupt(json::object{{"question", "approve?"}});
               return json::object{{"answer", answer}};
             },
             {.destinations = {"after"}});  // a resume command may go there
  g.add_node("after", [](StateView, NodeContext) { return json::object{{"count", 1}}; });
  g.add_edge(START, "ask");
  g.add_edge("ask", END);
  g.add_edge("after", END);
  return g.compile();
}

std::size_t checkpoints(const CompiledGraph& graph, const RunConfig& config) {
  return graph.get_state_history(config).size();
}

}  // namespace

TEST_CASE("a resume command whose update names a key outside the schema throws invalid_update and writes nothing") {
  auto store = std::make_shared<MemoryCheckpointer>();
  int runs = 0;
  CompiledGraph graph = asking_graph(runs);
  RunConfig config = thread_config(store);
  REQUIRE(graph.invoke(json::object(), config).status == RunStatus::interrupted);
  const std::size_t before = checkpoints(graph, config);
  const int runs_before = runs;

  Command bad;
  bad.resume = json::value("yes");
  bad.update = json::object{{"no_such_key", 1}};
  try {
    graph.invoke_resume(bad, config);
    FAIL("a resume command writing an unknown key did not throw");
  } catch (const Error& e) {
    CHECK(e.code() == engine::error::invalid_update);
    CHECK(std::string(e.what()).find("no_such_key") != std::string::npos);
  }
  CHECK(checkpoints(graph, config) == before);
  CHECK(runs == runs_before);  // no node ran
  // The thread still waits for its answer and takes a correct one.
  Command good;
  good.resume = json::value("yes");
  RunResult done = graph.invoke_resume(good, config);
  REQUIRE(done.status == RunStatus::done);
  CHECK(done.values.at("answer") == "yes");
}

TEST_CASE("a resume command whose update a channel rejects throws invalid_update before anything runs") {
  auto store = std::make_shared<MemoryCheckpointer>();
  int runs = 0;
  CompiledGraph graph = asking_graph(runs);
  RunConfig config = thread_config(store);
  REQUIRE(graph.invoke(json::object(), config).status == RunStatus::interrupted);
  const std::size_t before = checkpoints(graph, config);
  Command bad;
  bad.resume = json::value("yes");
  bad.update = json::object{{"count", "not a number"}};
  CHECK_THROWS_AS(graph.invoke_resume(bad, config), Error);
  CHECK(checkpoints(graph, config) == before);
}

TEST_CASE("a resume command whose goto or send names no node throws invalid_route and writes nothing") {
  auto store = std::make_shared<MemoryCheckpointer>();
  int runs = 0;
  CompiledGraph graph = asking_graph(runs);
  RunConfig config = thread_config(store);
  REQUIRE(graph.invoke(json::object(), config).status == RunStatus::interrupted);
  const std::size_t before = checkpoints(graph, config);

  Command to_nowhere;
  to_nowhere.resume = json::value("yes");
  to_nowhere.goto_nodes = {"no_such_node"};
  try {
    graph.invoke_resume(to_nowhere, config);
    FAIL("a resume command going to an unknown node did not throw");
  } catch (const Error& e) {
    CHECK(e.code() == engine::error::invalid_route);
    CHECK(std::string(e.what()).find("no_such_node") != std::string::npos);
  }
  Command send_nowhere;
  send_nowhere.resume = json::value("yes");
  send_nowhere.sends = {Send{"nowhere", json::object{}}};
  CHECK_THROWS_AS(graph.invoke_resume(send_nowhere, config), Error);
  CHECK(checkpoints(graph, config) == before);

  // A goto naming a real node (or END) is accepted.
  Command onwards;
  onwards.resume = json::value("yes");
  onwards.goto_nodes = {"after", std::string(END)};
  RunResult done = graph.invoke_resume(onwards, config);
  REQUIRE(done.status == RunStatus::done);
  CHECK(done.values.at("count") == 1);
}

TEST_CASE("a node's failure inside the run comes back as a failed RunResult, never as an exception") {
  auto store = std::make_shared<MemoryCheckpointer>();
  StateGraph g({{"x", Channel::last_value()}}, "fails");
  g.add_node("boom", [](StateView, NodeContext) -> json::object { throw std::runtime_error("boom"); });
  g.add_node("bad_update", [](StateView, NodeContext) { return json::object{{"not_in_schema", 1}}; });
  g.add_edge(START, "boom");
  g.add_edge(START, "bad_update");
  auto graph = g.compile();
  RunResult r = graph.invoke(json::object(), thread_config(store));
  REQUIRE(r.status == RunStatus::failed);
  REQUIRE(r.error.has_value());
  CHECK(!r.error->node.empty());
}
