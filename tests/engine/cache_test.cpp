// SPDX-License-Identifier: MIT
// Node caching: a node with a CachePolicy in a graph compiled with a NodeCache replays its
// recorded result for an input seen before, within its TTL, and records only successes.

#include "support.hpp"

#include "store/memory_node_cache.hpp"

using namespace weft;
using namespace engine_test;

namespace {

struct Counted {
  int calls = 0;
};

// START -> square -> END; square writes {"out": in * in} and counts its calls.
CompiledGraph squaring(std::shared_ptr<NodeCache> cache, Counted& counted, std::optional<CachePolicy> policy) {
  StateGraph g({{"in", Channel::last_value()}, {"noise", Channel::last_value()}, {"out", Channel::last_value()}},
               "squaring");
  NodeOptions options;
  options.cache = std::move(policy);
  g.add_node(
      "square",
      [&counted](StateView s, NodeContext) {
        ++counted.calls;
        return json::object{{"out", s.get_int("in") * s.get_int("in")}};
      },
      options);
  g.add_edge(std::string(START), "square");
  CompileOptions compile;
  compile.cache = std::move(cache);
  return g.compile(std::move(compile));
}

}  // namespace

TEST_CASE("a cached node runs once per distinct input and replays its result otherwise") {
  auto cache = std::make_shared<MemoryNodeCache>();
  Counted counted;
  CompiledGraph graph = squaring(cache, counted, CachePolicy{});
  CHECK(graph.invoke(object(R"({"in":3})")).values.at("out") == 9);
  CHECK(graph.invoke(object(R"({"in":3})")).values.at("out") == 9);
  CHECK(counted.calls == 1);
  CHECK(graph.invoke(object(R"({"in":4})")).values.at("out") == 16);
  CHECK(counted.calls == 2);
  CHECK(cache->size() == 2);

  cache->clear("squaring/square");
  CHECK(graph.invoke(object(R"({"in":3})")).values.at("out") == 9);
  CHECK(counted.calls == 3);
}

TEST_CASE("a recorded result expires after its TTL by the run's clock") {
  auto cache = std::make_shared<MemoryNodeCache>();
  auto clock = std::make_shared<ManualClock>();
  Counted counted;
  CachePolicy policy;
  policy.ttl = std::chrono::minutes(5);
  CompiledGraph graph = squaring(cache, counted, policy);
  RunConfig config;
  config.clock = clock;
  graph.invoke(object(R"({"in":2})"), config);
  clock->advance(std::chrono::minutes(4));
  graph.invoke(object(R"({"in":2})"), config);
  CHECK(counted.calls == 1);
  clock->advance(std::chrono::minutes(2));
  graph.invoke(object(R"({"in":2})"), config);
  CHECK(counted.calls == 2);
}

TEST_CASE("a cache key function decides which inputs are the same") {
  auto cache = std::make_shared<MemoryNodeCache>();
  Counted counted;
  CachePolicy policy;
  policy.key = [](const StateView& input) { return std::to_string(input.get_int("in")); };  // ignores "noise"
  CompiledGraph graph = squaring(cache, counted, policy);
  graph.invoke(object(R"({"in":5,"noise":"a"})"));
  const RunResult replayed = graph.invoke(object(R"({"in":5,"noise":"b"})"));
  CHECK(counted.calls == 1);
  CHECK(replayed.values.at("out") == 25);
  CHECK(replayed.values.at("noise") == "b");

  Counted plain;  // without a key function the whole input counts
  CompiledGraph whole = squaring(std::make_shared<MemoryNodeCache>(), plain, CachePolicy{});
  whole.invoke(object(R"({"in":5,"noise":"a"})"));
  whole.invoke(object(R"({"in":5,"noise":"b"})"));
  CHECK(plain.calls == 2);
}

TEST_CASE("nothing is cached without both a policy and a cache") {
  Counted no_policy, no_cache;
  CompiledGraph a = squaring(std::make_shared<MemoryNodeCache>(), no_policy, std::nullopt);
  CompiledGraph b = squaring(nullptr, no_cache, CachePolicy{});
  for (int i = 0; i < 2; ++i) {
    a.invoke(object(R"({"in":1})"));
    b.invoke(object(R"({"in":1})"));
  }
  CHECK(no_policy.calls == 2);
  CHECK(no_cache.calls == 2);
}

TEST_CASE("failures and interrupts are not recorded; a replay still routes and is marked on the debug stream") {
  auto cache = std::make_shared<MemoryNodeCache>();
  auto store = std::make_shared<MemoryCheckpointer>();
  int calls = 0;
  bool fail = true;
  StateGraph g({{"in", Channel::last_value()}, {"out", Channel::last_value()}, {"log", Channel::append()}}, "flaky");
  NodeOptions options;
  options.cache = CachePolicy{};
  g.add_node(
      "work",
      [&](StateView s, NodeContext ctx) -> json::object {
        ++calls;
        if (fail) throw std::runtime_error("not yet");
        if (s.get_int("in") == 7) ctx.interrupt("seven?");
        return json::object{{"out", s.get_int("in") + 1}};
      },
      options);
  g.add_node("after", writes(R"({"log":"after"})"));
  g.add_edge(std::string(START), "work");
  g.add_conditional_edges(
      "work", [](StateView s) -> Route { return s.get_int("out") > 1 ? "after" : std::string(END); },
      std::vector<std::string>{"after"});
  CompileOptions compile;
  compile.cache = cache;
  CompiledGraph graph = g.compile(std::move(compile));

  CHECK(graph.invoke(object(R"({"in":1})")).status == RunStatus::failed);
  fail = false;
  CHECK(graph.invoke(object(R"({"in":1})")).values.at("log") == json::parse(R"(["after"])"));
  CHECK(calls == 2);  // the failure was not recorded

  bool cached_event = false;
  RunConfig config;
  config.stream_modes = static_cast<unsigned>(StreamMode::debug);
  config.stream = [&](const StreamEvent& e) {
    const auto* payload = e.data.as_object().if_contains("payload");
    if (payload && payload->is_object() && payload->as_object().contains("cached")) cached_event = true;
  };
  const RunResult replay = graph.invoke(object(R"({"in":1})"), config);
  CHECK(calls == 2);
  CHECK(replay.values.at("log") == json::parse(R"(["after"])"));  // the router ran on the replayed result
  CHECK(cached_event);

  RunConfig threaded = thread_config(store, "asks");
  CHECK(graph.invoke(object(R"({"in":7})"), threaded).status == RunStatus::interrupted);
  CHECK(graph.invoke(object(R"({"in":7})"), thread_config(store, "asks-again")).status == RunStatus::interrupted);
  CHECK(calls == 4);  // an interrupted attempt is not a result
}

TEST_CASE("replayed messages get the replaying task's ids") {
  auto cache = std::make_shared<MemoryNodeCache>();
  StateGraph g({{"q", Channel::last_value()}, {"chat", Channel::messages()}}, "chatty");
  NodeOptions options;
  options.cache = CachePolicy{};
  options.cache->key = [](const StateView& s) { return std::string(s.get_string("q")); };
  g.add_node(
      "answer",
      [](StateView, NodeContext) {
        return json::object{{"chat", json::array{json::object{{"role", "assistant"}, {"content", "hi"}}}}};
      },
      options);
  g.add_edge(std::string(START), "answer");
  CompileOptions compile;
  compile.cache = cache;
  CompiledGraph graph = g.compile(std::move(compile));
  auto store = std::make_shared<MemoryCheckpointer>();
  const RunResult first = graph.invoke(object(R"({"q":"hello"})"), thread_config(store, "one"));
  const RunResult second = graph.invoke(object(R"({"q":"hello"})"), thread_config(store, "two"));
  const json::value& a = first.values.at("chat").as_array().at(0).as_object().at("id");
  const json::value& b = second.values.at("chat").as_array().at(0).as_object().at("id");
  CHECK(a != b);
  CHECK(second.values.at("chat").as_array().at(0).as_object().at("content") == "hi");
}

TEST_CASE("a cache that fails to read or record costs a call, never the task, and says so on the debug stream") {
  struct BrokenCache final : NodeCache {
    std::optional<json::object> lookup(const std::string&, const std::string&, std::int64_t) override {
      throw std::runtime_error("cache unreadable");
    }
    void record(const std::string&, const std::string&, const json::object&, std::int64_t) override {
      throw std::runtime_error("cache full");
    }
    void clear(const std::string&) override {}
  };
  Counted counted;
  CompiledGraph graph = squaring(std::make_shared<BrokenCache>(), counted, CachePolicy{});
  std::vector<std::string> errors;
  RunConfig config;
  config.stream_modes = static_cast<unsigned>(StreamMode::debug);
  config.stream = [&](const StreamEvent& e) {
    const json::object& o = e.data.as_object();
    if (o.at("type") == "cache_error") errors.emplace_back(o.at("payload").at("message").as_string());
  };
  const RunResult result = graph.invoke(object(R"({"in":6})"), config);
  result.check();
  CHECK(result.values.at("out") == 36);
  CHECK(counted.calls == 1);
  CHECK(errors == std::vector<std::string>{"cache unreadable", "cache full"});
}
