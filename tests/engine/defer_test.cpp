// SPDX-License-Identifier: MIT
// Deferred nodes (NodeOptions::defer): a node gathering branches of unequal length runs once,
// after the longest, also across an interrupt and resume.

#include "support.hpp"

using namespace weft;
using namespace engine_test;

namespace {

// START -> a -> a2 -> join, START -> b -> join: the b branch reaches join a step before a2 does.
StateGraph unequal_branches(bool defer_join, bool a2_asks = false) {
  StateGraph g({{"log", Channel::append()}}, "unequal");
  const auto logs = [](std::string name) {
    return [name](StateView, NodeContext) { return json::object{{"log", json::array{json::value(name)}}}; };
  };
  g.add_node("a", logs("a"));
  g.add_node("b", logs("b"));
  g.add_node("a2", [a2_asks](StateView, NodeContext ctx) {
    if (a2_asks) ctx.interrupt("go on?");
    return json::object{{"log", json::array{"a2"}}};
  });
  NodeOptions options;
  options.defer = defer_join;
  g.add_node(
      "join",
      [](StateView s, NodeContext) {
        return json::object{{"log", json::array{"join saw " + std::to_string(s.at("log").as_array().size())}}};
      },
      options);
  g.add_edge(std::string(START), "a");
  g.add_edge(std::string(START), "b");
  g.add_edge("a", "a2");
  g.add_edge("a2", "join");
  g.add_edge("b", "join");
  g.add_edge("join", std::string(END));
  return g;
}

}  // namespace

TEST_CASE("a deferred node waits for the longer branch and runs once") {
  const RunResult plain = unequal_branches(false).compile().invoke(json::object{});
  plain.check();
  // Without defer, join runs as soon as b reaches it (beside a2, seeing 2 entries), and again after a2.
  CHECK(plain.values.at("log") == json::parse(R"(["a","b","a2","join saw 2","join saw 4"])"));

  const RunResult deferred = unequal_branches(true).compile().invoke(json::object{});
  deferred.check();
  CHECK(deferred.values.at("log") == json::parse(R"(["a","b","a2","join saw 3"])"));
}

TEST_CASE("a deferred node alone in a step runs at once") {
  StateGraph g({{"n", Channel::last_value()}}, "alone");
  NodeOptions options;
  options.defer = true;
  g.add_node(
      "only",
      [](StateView s, NodeContext) {
        return json::object{{"n", s.get_int("n") + 1}};
      },
      options);
  g.add_edge(std::string(START), "only");
  const RunResult result = g.compile().invoke(json::object{{"n", 1}});
  result.check();
  CHECK(result.values.at("n") == 2);
}

TEST_CASE("a deferred node held across an interrupt still runs once, after the resumed branch") {
  auto store = std::make_shared<MemoryCheckpointer>();
  CompiledGraph graph = unequal_branches(true, true).compile();
  const RunConfig config = thread_config(store, "deferred");
  const RunResult paused = graph.invoke(json::object{}, config);
  REQUIRE(paused.status == RunStatus::interrupted);
  // The checkpoint still plans join: it is held, not forgotten.
  const std::vector<std::string> next = graph.get_state(config).value().next;
  CHECK(std::find(next.begin(), next.end(), "join") != next.end());
  CHECK(std::find(next.begin(), next.end(), "a2") != next.end());

  Command resume;
  resume.resume = json::value("yes");
  const RunResult done = graph.invoke_resume(resume, config);
  done.check();
  CHECK(done.values.at("log") == json::parse(R"(["a","b","a2","join saw 3"])"));
}
