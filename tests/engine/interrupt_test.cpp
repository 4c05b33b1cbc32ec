// SPDX-License-Identifier: MIT
// Human in the loop: interrupt() in nodes, resume by value or by id, interrupt_before/after.

#include "support.hpp"

using namespace weft;
using namespace engine_test;

TEST_CASE("interrupt pauses the run and resume re-runs the node from the top with the value") {
  auto store = std::make_shared<MemoryCheckpointer>();
  int before_interrupt = 0;
  StateGraph g({{"answer", Channel::last_value()}}, "ask");
  g.add_node("ask", [&](StateView, NodeContext ctx) {
    ++before_interrupt;
    json::value answer = ctx.interrupt(json::object{{"question", "approve?"}});
    return json::object{{"answer", answer}};
  });
  g.add_edge(std::string(START), "ask");
  auto graph = g.compile();
  RunConfig config = thread_config(store);

  RunResult paused = graph.invoke(json::object(), config);
  REQUIRE(paused.status == RunStatus::interrupted);
  REQUIRE(paused.interrupts.size() == 1);
  CHECK(paused.interrupts[0].node == "ask");
  CHECK(paused.interrupts[0].kind == Interrupt::Kind::node);
  CHECK(paused.interrupts[0].value.at("question") == "approve?");
  CHECK(store->thread("t1")->status == ThreadStatus::interrupted);
  CHECK(graph.get_state(config)->interrupts.size() == 1);

  Command resume;
  resume.resume = json::value("yes");
  RunResult done = graph.invoke_resume(resume, config);
  REQUIRE(done.status == RunStatus::done);
  CHECK(done.values.at("answer") == "yes");
  CHECK(before_interrupt == 2);  // re-executed from the top
  CHECK(store->thread("t1")->status == ThreadStatus::done);
}

TEST_CASE("several interrupts in one node are answered in call order across resumes") {
  auto store = std::make_shared<MemoryCheckpointer>();
  StateGraph g({{"answers", Channel::last_value()}}, "two_questions");
  g.add_node("ask", [](StateView, NodeContext ctx) {
    json::value first = ctx.interrupt("first?");
    json::value second = ctx.interrupt("second?");
    return json::object{{"answers", json::array{first, second}}};
  });
  g.add_edge(std::string(START), "ask");
  auto graph = g.compile();
  RunConfig config = thread_config(store);
  RunResult p1 = graph.invoke(json::object(), config);
  REQUIRE(p1.status == RunStatus::interrupted);
  CHECK(p1.interrupts[0].value == "first?");
  Command r1;
  r1.resume = json::value(1);
  RunResult p2 = graph.invoke_resume(r1, config);
  REQUIRE(p2.status == RunStatus::interrupted);
  CHECK(p2.interrupts[0].value == "second?");
  CHECK(p2.interrupts[0].id != p1.interrupts[0].id);
  Command r2;
  r2.resume = json::value(2);
  RunResult done = graph.invoke_resume(r2, config);
  REQUIRE(done.status == RunStatus::done);
  CHECK(json::serialize(done.values.at("answers")) == "[1,2]");
}

TEST_CASE("several pending interrupts are resumed by id, and a bare value is refused") {
  auto store = std::make_shared<MemoryCheckpointer>();
  std::map<std::string, int> runs;
  StateGraph g({{"got", Channel::object_merge()}}, "parallel_questions");
  for (std::string name : {"left", "right", "quiet"}) {
    g.add_node(name, [name, &runs](StateView, NodeContext ctx) {
      ++runs[name];
      if (name == "quiet") return json::object{{"got", json::object{{name, "no question"}}}};
      json::value v = ctx.interrupt(json::value(json::string("question from " + name)));
      return json::object{{"got", json::object{{name, v}}}};
    });
    g.add_edge(std::string(START), name);
  }
  auto graph = g.compile();
  RunConfig config = thread_config(store);
  RunResult paused = graph.invoke(json::object(), config);
  REQUIRE(paused.status == RunStatus::interrupted);
  REQUIRE(paused.interrupts.size() == 2);
  std::map<std::string, std::string> id_of;
  for (const Interrupt& i : paused.interrupts) id_of[i.node] = i.id;

  Command bare;
  bare.resume = json::value("ambiguous");
  Error e = error_from([&] { graph.invoke_resume(bare, config); });
  CHECK(e.code() == engine::error::invalid_resume);
  CHECK(contains(e.what(), "2 interrupts are pending"));

  Command only_left;
  only_left.resume = json::object{{id_of["left"], "L"}};
  RunResult still = graph.invoke_resume(only_left, config);
  REQUIRE(still.status == RunStatus::interrupted);
  REQUIRE(still.interrupts.size() == 1);
  CHECK(still.interrupts[0].node == "right");

  Command right;
  right.resume = json::object{{id_of["right"], "R"}};
  RunResult done = graph.invoke_resume(right, config);
  REQUIRE(done.status == RunStatus::done);
  CHECK(done.values.at("got") == json::parse(R"({"left":"L","right":"R","quiet":"no question"})"));
  CHECK(runs["quiet"] == 1);  // a finished sibling is never re-run
  CHECK(runs["left"] == 2);
  CHECK(runs["right"] == 2);  // not re-run while still unanswered
}

TEST_CASE("interrupt without a checkpointer fails clearly") {
  StateGraph g({}, "no_store");
  g.add_node("ask", [](StateView, NodeContext ctx) { ctx.interrupt("?"); });
  g.add_edge(std::string(START), "ask");
  RunResult result = g.compile().invoke(json::object());
  REQUIRE(result.status == RunStatus::failed);
  CHECK(contains(result.error->message, "called interrupt() but the run has no checkpointer"));
}

TEST_CASE("interrupt_before pauses before the node runs and null input continues") {
  auto store = std::make_shared<MemoryCheckpointer>();
  std::vector<std::string> ran;
  StateGraph g({}, "breakpoints");
  g.add_node("a", [&](StateView, NodeContext) { ran.push_back("a"); });
  g.add_node("b", [&](StateView, NodeContext) { ran.push_back("b"); });
  g.add_edge(std::string(START), "a");
  g.add_edge("a", "b");
  CompileOptions options;
  options.interrupt_before = {"b"};
  options.checkpointer = store;
  auto graph = g.compile(options);
  RunConfig config;
  config.thread_id = "t";
  RunResult paused = graph.invoke(json::object(), config);
  REQUIRE(paused.status == RunStatus::interrupted);
  CHECK(paused.interrupts.at(0).kind == Interrupt::Kind::before);
  CHECK(paused.interrupts.at(0).node == "b");
  CHECK(paused.next == std::vector<std::string>{"b"});
  CHECK(ran == std::vector<std::string>{"a"});
  RunResult done = graph.invoke(json::value(nullptr), config);
  CHECK(done.status == RunStatus::done);
  CHECK(ran == std::vector<std::string>{"a", "b"});
}

TEST_CASE("interrupt_after given per run pauses after the node's step is checkpointed") {
  auto store = std::make_shared<MemoryCheckpointer>();
  std::vector<std::string> ran;
  StateGraph g({{"x", Channel::last_value()}}, "breakpoints");
  g.add_node("a", [&](StateView, NodeContext) {
    ran.push_back("a");
    return json::object{{"x", "a"}};
  });
  g.add_node("b", [&](StateView, NodeContext) { ran.push_back("b"); });
  g.add_edge(std::string(START), "a");
  g.add_edge("a", "b");
  auto graph = g.compile();
  RunConfig config = thread_config(store);
  config.interrupt_after = {"a"};
  RunResult paused = graph.invoke(json::object(), config);
  REQUIRE(paused.status == RunStatus::interrupted);
  CHECK(paused.interrupts.at(0).kind == Interrupt::Kind::after);
  CHECK(paused.values.at("x") == "a");
  CHECK(graph.get_state(config)->values.at("x") == "a");
  config.interrupt_after.clear();
  CHECK(graph.invoke(json::value(nullptr), config).status == RunStatus::done);
  CHECK(ran == std::vector<std::string>{"a", "b"});
}
