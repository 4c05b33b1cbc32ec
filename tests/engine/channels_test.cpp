// SPDX-License-Identifier: MIT
// Channels: how the writes of one step combine into each key.

#include "support.hpp"

#include "engine/detail/channels.hpp"

using namespace weft;
using namespace engine_test;

namespace {

/// START -> a, b (parallel, one step) -> END; a and b write the given updates.
CompiledGraph parallel_writers(Schema schema, std::string_view a_update, std::string_view b_update) {
  StateGraph g(std::move(schema), "parallel");
  g.add_node("a", writes(a_update));
  g.add_node("b", writes(b_update));
  g.add_edge(std::string(START), "a");
  g.add_edge(std::string(START), "b");
  return g.compile();
}

}  // namespace

TEST_CASE("a last_value key written by two nodes in one step fails naming the key and both nodes") {
  auto graph = parallel_writers({{"x", Channel::last_value()}}, R"({"x":1})", R"({"x":2})");
  RunResult result = graph.invoke(json::object());
  REQUIRE(result.status == RunStatus::failed);
  CHECK(result.error->code == engine::error::concurrent_update);
  CHECK(contains(result.error->message, "state key 'x' (last_value) received 2 writes in one step, from a, b"));
}

TEST_CASE("a last_value key keeps the single write of a step") {
  auto graph =
      parallel_writers({{"x", Channel::last_value()}, {"y", Channel::last_value()}}, R"({"x":1})", R"({"y":"b"})");
  RunResult result = graph.invoke(object(R"({"x":0})"));
  CHECK(result.values == object(R"({"x":1,"y":"b"})"));
}

TEST_CASE("an append channel appends items of arrays and single values in task order") {
  auto graph = parallel_writers({{"log", Channel::append()}}, R"({"log":["a1","a2"]})", R"({"log":"b"})");
  RunResult result = graph.invoke(object(R"({"log":["input"]})"));
  CHECK(json::serialize(result.values.at("log")) == R"(["input","a1","a2","b"])");
}

TEST_CASE("a counter channel adds numbers and keeps integers integral") {
  auto graph = parallel_writers({{"n", Channel::counter()}}, R"({"n":2})", R"({"n":3})");
  RunResult result = graph.invoke(object(R"({"n":10})"));
  CHECK(result.values.at("n").is_int64());
  CHECK(result.values.at("n") == 15);
  auto doubles = parallel_writers({{"n", Channel::counter()}}, R"({"n":0.5})", R"({"n":1})");
  CHECK(doubles.invoke(json::object()).values.at("n") == 1.5);
}

TEST_CASE("a counter channel rejects a non-number write, naming the node and key") {
  auto graph = parallel_writers({{"n", Channel::counter()}}, R"({"n":"three"})", R"({})");
  RunResult result = graph.invoke(json::object());
  REQUIRE(result.status == RunStatus::failed);
  CHECK(result.error->node == "a");
  CHECK(contains(result.error->message, "node 'a' wrote state key 'n': a counter channel takes numbers"));
}

TEST_CASE("an object_merge channel merges shallowly, the later task winning") {
  auto graph = parallel_writers({{"o", Channel::object_merge()}}, R"({"o":{"k":1,"a":true}})", R"({"o":{"k":2}})");
  RunResult result = graph.invoke(object(R"({"o":{"keep":0}})"));
  CHECK(result.values.at("o") == json::parse(R"({"keep":0,"k":2,"a":true})"));
}

TEST_CASE("a messages channel merges by id, replaces same ids, removes, and assigns deterministic ids") {
  auto graph = parallel_writers({{"messages", Channel::messages()}},
                                R"({"messages":[{"id":"m1","text":"edited"},{"text":"new from a"}]})",
                                R"({"messages":{"type":"remove","id":"m2"}})");
  json::object input = object(R"({"messages":[{"id":"m1","text":"hi"},{"id":"m2","text":"bye"}]})");
  RunResult first = graph.invoke(input);
  const json::array& messages = first.values.at("messages").as_array();
  REQUIRE(messages.size() == 2);
  CHECK(messages[0] == json::parse(R"({"id":"m1","text":"edited"})"));
  CHECK(messages[1].at("text") == "new from a");
  std::string assigned(messages[1].at("id").as_string());
  CHECK(assigned.size() > 3);
  RunResult second = graph.invoke(input);  // same graph, same input, no thread: same task ids
  CHECK(second.values.at("messages").as_array()[1].at("id") == assigned.c_str());
}

TEST_CASE("a remove marker without an id is rejected") {
  auto graph = parallel_writers({{"messages", Channel::messages()}}, R"({"messages":{"type":"remove"}})", "{}");
  RunResult result = graph.invoke(json::object());
  REQUIRE(result.status == RunStatus::failed);
  CHECK(contains(result.error->message, "needs the \"id\" to remove"));
}

TEST_CASE("a user reducer folds each write in task order") {
  Reducer keep_max_and_trace = [](json::value current, json::value update) -> json::value {
    json::array trace = current.is_array() ? current.as_array() : json::array();
    trace.push_back(update);
    return trace;
  };
  auto graph = parallel_writers({{"r", Channel::custom(keep_max_and_trace)}}, R"({"r":"from a"})", R"({"r":"from b"})");
  RunResult result = graph.invoke(json::object());
  CHECK(json::serialize(result.values.at("r")) == R"(["from a","from b"])");
}

TEST_CASE("a write to a key outside the schema fails naming the key") {
  auto graph = parallel_writers({{"x", Channel::last_value()}}, R"({"typo":1})", "{}");
  RunResult result = graph.invoke(json::object());
  REQUIRE(result.status == RunStatus::failed);
  CHECK(result.error->code == engine::error::node_failed);
  CHECK(contains(result.error->message, "node 'a' wrote state key 'typo': the key is not in the state schema"));
}

TEST_CASE("apply_step_writes produces per-channel deltas that fold back to the same state") {
  Schema schema{{"log", Channel::append()}, {"n", Channel::counter()},    {"o", Channel::object_merge()},
                {"m", Channel::messages()}, {"x", Channel::last_value()}, {"untouched", Channel::last_value()}};
  json::object state = object(R"({"log":[1],"n":1,"o":{"a":1},"m":[{"id":"1","t":"a"}],"x":0,"untouched":"same"})");
  json::object before = state;
  json::object update = object(R"({"log":[2,3],"n":4,"o":{"b":2},"m":[{"id":"1","t":"b"},{"t":"c"}],"x":9})");
  detail::normalize_update(schema, update, "task", "test");
  std::vector<detail::StepWrite> step;
  for (const auto& [key, value] : update) step.push_back({key, &value, "test"});
  std::vector<ChannelDelta> deltas;
  detail::apply_step_writes(schema, state, step, &deltas);
  REQUIRE(deltas.size() == 5);  // no delta for the untouched key
  for (const ChannelDelta& d : deltas) {
    if (d.channel == "log") CHECK((d.op == DeltaOp::append && d.value == json::parse("[2,3]")));
    if (d.channel == "o") CHECK((d.op == DeltaOp::merge_object && d.value == json::parse(R"({"b":2})")));
    if (d.channel == "m") CHECK(d.op == DeltaOp::merge_messages);
    if (d.channel == "n") CHECK((d.op == DeltaOp::replace && d.value == 5));
    if (d.channel == "x") CHECK(d.op == DeltaOp::replace);
  }
  for (const ChannelDelta& d : deltas) apply_delta(before, d);
  CHECK(before == state);
}
