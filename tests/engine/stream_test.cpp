// SPDX-License-Identifier: MIT
// Streaming: values, updates, custom and debug events, in order, filtered by mode.

#include "support.hpp"

using namespace weft;
using namespace engine_test;

namespace {

CompiledGraph two_step_graph() {
  StateGraph g({{"x", Channel::last_value()}}, "stream");
  g.add_node("a", [](StateView, NodeContext ctx) {
    ctx.emit(json::object{{"progress", 50}});
    return json::object{{"x", "a"}};
  });
  g.add_node("b", writes(R"({"x":"b"})"));
  g.add_edge(std::string(START), "a");
  g.add_edge("a", "b");
  return g.compile();
}

}  // namespace

TEST_CASE("values, updates and custom events arrive in run order") {
  std::vector<std::string> events;
  RunConfig config;
  config.stream_modes = StreamMode::values | StreamMode::updates | StreamMode::custom;
  config.stream = [&events](const StreamEvent& e) {
    events.push_back(std::string(to_string(e.mode)) + ":" + e.node + ":" + json::serialize(e.data));
  };
  two_step_graph().invoke(object(R"({"x":"in"})"), config);
  CHECK(events == std::vector<std::string>{
                      R"(values::{"x":"in"})",
                      R"(custom:a:{"progress":50})",
                      R"(updates:a:{"a":{"x":"a"}})",
                      R"(values::{"x":"a"})",
                      R"(updates:b:{"b":{"x":"b"}})",
                      R"(values::{"x":"b"})",
                  });
}

TEST_CASE("debug events report task start, task result and checkpoints") {
  auto store = std::make_shared<MemoryCheckpointer>();
  std::vector<std::string> types;
  RunConfig config = thread_config(store);
  config.stream_modes = static_cast<unsigned>(StreamMode::debug);
  config.stream = [&types](const StreamEvent& e) {
    CHECK(e.mode == StreamMode::debug);
    types.push_back(std::string(e.data.at("type").as_string()) + ":" + e.node);
  };
  two_step_graph().invoke(json::object(), config);
  CHECK(types == std::vector<std::string>{"checkpoint:", "task:a", "task_result:a", "checkpoint:", "task:b",
                                          "task_result:b", "checkpoint:"});
}

TEST_CASE("an interrupt is streamed as an __interrupt__ update") {
  auto store = std::make_shared<MemoryCheckpointer>();
  StateGraph g({}, "ask");
  g.add_node("ask", [](StateView, NodeContext ctx) { ctx.interrupt("why?"); });
  g.add_edge(std::string(START), "ask");
  json::value seen;
  RunConfig config = thread_config(store);
  config.stream_modes = static_cast<unsigned>(StreamMode::updates);
  config.stream = [&seen](const StreamEvent& e) { seen = e.data; };
  g.compile().invoke(json::object(), config);
  REQUIRE(seen.is_object());
  CHECK(seen.at("__interrupt__").at(0).at("value") == "why?");
}

TEST_CASE("a throwing stream sink fails the run") {
  RunConfig config;
  config.stream = [](const StreamEvent& e) {
    if (e.mode == StreamMode::custom) throw std::runtime_error("sink full");
  };
  RunResult result = two_step_graph().invoke(json::object(), config);
  REQUIRE(result.status == RunStatus::failed);
  CHECK(result.error->code == engine::error::stream_failed);
  CHECK(contains(result.error->message, "the stream sink threw at step 0: sink full"));
  CHECK_FALSE(result.values.contains("x"));  // the run stopped at the end of that step
}
