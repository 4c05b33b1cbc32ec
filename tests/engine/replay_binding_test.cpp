// SPDX-License-Identifier: MIT
// Replay is bound to the request (engine/run_format.md): a journal entry, a recorded answer, a
// durable deadline and a cached node result are replayed only for what they were recorded for.
// Each case starts the thread again from its input on a fresh checkpointer with the old journal,
// as `weft resume` does for a run that died before its first durable checkpoint: checkpoint ids,
// and so task ids and effect keys, come out the same.

#include "support.hpp"

#include "engine/effect_journal.hpp"
#include "store/memory_node_cache.hpp"

#include <boost/asio/use_awaitable.hpp>

#include <map>

using namespace weft;
using namespace engine_test;

namespace {

RunConfig restart_config(std::shared_ptr<MemoryCheckpointer> journal) {
  RunConfig config = thread_config(std::make_shared<MemoryCheckpointer>());
  config.effect_journal = std::move(journal);
  return config;
}

// START -> act -> END: act performs one journaled effect "post" addressed to the input's "to".
CompiledGraph posting(std::map<std::string, int>& posted, bool rerun_on_change) {
  StateGraph g({{"to", Channel::last_value()}, {"receipt", Channel::last_value()}}, "posting");
  g.add_node("act", [&posted, rerun_on_change](StateView s, NodeContext ctx) -> boost::asio::awaitable<json::object> {
    const std::string to(s.get_string("to"));
    EffectRequest request;
    request.what = json::object{{"to", to}};
    request.rerun_on_change = rerun_on_change;
    auto pending = ctx.effect(
        "post",
        [&posted, to] {
          ++posted[to];
          return json::value("receipt for " + to);
        },
        {}, std::move(request));
    json::value receipt = co_await std::move(pending);
    co_return json::object{{"receipt", receipt}};
  });
  g.add_edge(std::string(START), "act");
  return g.compile();
}

}  // namespace

TEST_CASE("an effect journaled for another request is a conflict naming both, never a replay") {
  auto journal = std::make_shared<MemoryCheckpointer>();
  std::map<std::string, int> posted;
  CompiledGraph graph = posting(posted, false);
  RunResult first = graph.invoke(object(R"({"to":"alice"})"), restart_config(journal));
  REQUIRE(first.status == RunStatus::done);

  RunResult other = graph.invoke(object(R"({"to":"bob"})"), restart_config(journal));
  REQUIRE(other.status == RunStatus::failed);
  try {
    std::rethrow_exception(other.error->exception);
  } catch (const Error& e) {
    CHECK(e.code() == engine::error::effect_request_conflict);
  }
  const std::string& message = other.error->message;
  CHECK(contains(message, "effect 'post' of node 'act'"));
  CHECK(contains(message, request_digest(json::object{{"to", "alice"}})));
  CHECK(contains(message, request_digest(json::object{{"to", "bob"}})));
  CHECK(contains(message, R"({"to":"bob"})"));
  CHECK(posted == std::map<std::string, int>{{"alice", 1}});  // nothing done for bob, nothing twice

  RunResult same = graph.invoke(object(R"({"to":"alice"})"), restart_config(journal));
  REQUIRE(same.status == RunStatus::done);
  CHECK(same.values.at("receipt") == "receipt for alice");  // the same request replays
  CHECK(posted == std::map<std::string, int>{{"alice", 1}});
}

TEST_CASE("an effect with no outside effect runs again for a changed request instead of replaying") {
  auto journal = std::make_shared<MemoryCheckpointer>();
  std::map<std::string, int> asked;
  CompiledGraph graph = posting(asked, true);
  REQUIRE(graph.invoke(object(R"({"to":"alice"})"), restart_config(journal)).status == RunStatus::done);
  RunResult other = graph.invoke(object(R"({"to":"bob"})"), restart_config(journal));
  REQUIRE(other.status == RunStatus::done);
  CHECK(other.values.at("receipt") == "receipt for bob");
  CHECK(asked == std::map<std::string, int>{{"alice", 1}, {"bob", 1}});
}

TEST_CASE("request digests ignore member order and null binds nothing") {
  CHECK(request_digest(object(R"({"a":1,"b":{"c":[1,{"d":2,"e":3}]}})")) ==
        request_digest(object(R"({"b":{"c":[1,{"e":3,"d":2}]},"a":1})")));
  CHECK(request_digest(object(R"({"a":1})")) != request_digest(object(R"({"a":2})")));
  CHECK(request_digest(json::value(nullptr)).empty());
  CHECK(request_digest(json::object()).size() == 32);
}

TEST_CASE("a Send's task is named by its payload, so a reordered fan-out replays each payload's own effect") {
  auto journal = std::make_shared<MemoryCheckpointer>();
  std::map<std::string, int> posted;
  StateGraph g({{"targets", Channel::last_value()}, {"receipts", Channel::append()}}, "fanout");
  g.add_node("post", [&posted](StateView s, NodeContext ctx) -> boost::asio::awaitable<json::object> {
    const std::string to(s.get_string("to"));
    // Unbound on purpose: only the task id tells the payloads apart.
    auto pending = ctx.effect("post", [&posted, to] {
      ++posted[to];
      return json::value(to);
    });
    json::value receipt = co_await std::move(pending);
    co_return json::object{{"receipts", json::array{json::value(to + "<-" + std::string(receipt.as_string()))}}};
  });
  g.add_conditional_edges(std::string(START), [](StateView s) {
    std::vector<Send> sends;
    const json::value targets = s.get("targets");
    for (const auto& t : targets.as_array()) sends.push_back(Send{"post", json::object{{"to", t}}});
    return Route(std::move(sends));
  });
  CompiledGraph graph = g.compile();
  REQUIRE(graph.invoke(object(R"({"targets":["alice","bob","bob"]})"), restart_config(journal)).status ==
          RunStatus::done);
  CHECK(posted == std::map<std::string, int>{{"alice", 1}, {"bob", 2}});  // equal payloads are two tasks

  RunResult again = graph.invoke(object(R"({"targets":["bob","carol","alice","bob"]})"), restart_config(journal));
  REQUIRE(again.status == RunStatus::done);
  for (const auto& r : again.values.at("receipts").as_array()) {
    const std::string line(r.as_string());
    CHECK_MESSAGE(line.substr(0, line.find("<-")) == line.substr(line.find("<-") + 2), line);
  }
  // Both bobs and alice replay their own entries at their new positions; only carol is new.
  CHECK(posted == std::map<std::string, int>{{"alice", 1}, {"bob", 2}, {"carol", 1}});
}

TEST_CASE("a durable deadline taken after something else is taken anew, not replayed passed") {
  auto journal = std::make_shared<MemoryCheckpointer>();
  auto clock = std::make_shared<ManualClock>();
  StateGraph g({{"observed_at", Channel::last_value()}, {"woke", Channel::last_value()}}, "timer");
  g.add_node("wait", [](StateView s, NodeContext ctx) -> boost::asio::awaitable<json::object> {
    auto sleeping = ctx.sleep_durably("cooldown", std::chrono::minutes(10), s.get("observed_at"));
    co_await std::move(sleeping);
    co_return json::object{{"woke", true}};
  });
  g.add_edge(std::string(START), "wait");
  CompiledGraph graph = g.compile();
  RunConfig first = restart_config(journal);
  first.clock = clock;
  REQUIRE(graph.invoke(object(R"({"observed_at":1})"), first).status == RunStatus::done);
  REQUIRE(clock->sleeps().size() == 1);

  RunConfig same = restart_config(journal);
  same.clock = clock;
  REQUIRE(graph.invoke(object(R"({"observed_at":1})"), same).status == RunStatus::done);
  CHECK(clock->sleeps().size() == 1);  // the same wait: its deadline has passed

  RunConfig later = restart_config(journal);
  later.clock = clock;
  REQUIRE(graph.invoke(object(R"({"observed_at":2})"), later).status == RunStatus::done);
  REQUIRE(clock->sleeps().size() == 2);  // a wait after another observation waits again in full
  CHECK(clock->sleeps()[1] == std::chrono::minutes(10));
}

namespace {

// A cache whose entries all claim to answer another input (a key collision, or an entry written
// for something else): such an entry must not be replayed.
class ForeignEntries final : public NodeCache {
 public:
  std::optional<json::object> lookup(const std::string& node, const std::string& key, std::int64_t now_ms) override {
    auto found = inner_.lookup(node, key, now_ms);
    if (found) (*found)["request_digest"] = request_digest(json::object{{"something", "else"}});
    return found;
  }
  void record(const std::string& node, const std::string& key, const json::object& value,
              std::int64_t expires_at_ms) override {
    inner_.record(node, key, value, expires_at_ms);
  }
  void clear(const std::string& node) override { inner_.clear(node); }

 private:
  MemoryNodeCache inner_;
};

}  // namespace

TEST_CASE("a cached node result recorded for another input is not replayed") {
  int calls = 0;
  auto build = [&calls](std::shared_ptr<NodeCache> cache) {
    StateGraph g({{"in", Channel::last_value()}, {"out", Channel::last_value()}}, "cached");
    NodeOptions options;
    options.cache = CachePolicy{};
    g.add_node(
        "square",
        [&calls](StateView s, NodeContext) {
          ++calls;
          return json::object{{"out", s.get_int("in") * s.get_int("in")}};
        },
        options);
    g.add_edge(std::string(START), "square");
    CompileOptions compile;
    compile.cache = std::move(cache);
    return g.compile(std::move(compile));
  };
  CompiledGraph honest = build(std::make_shared<MemoryNodeCache>());
  CHECK(honest.invoke(object(R"({"in":3})")).values.at("out") == 9);
  CHECK(honest.invoke(object(R"({"in":3})")).values.at("out") == 9);
  CHECK(calls == 1);  // its own entry replays

  CompiledGraph foreign = build(std::make_shared<ForeignEntries>());
  CHECK(foreign.invoke(object(R"({"in":3})")).values.at("out") == 9);
  CHECK(foreign.invoke(object(R"({"in":3})")).values.at("out") == 9);
  CHECK(calls == 3);  // the foreign entry ran the node again
}
