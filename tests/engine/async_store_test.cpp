// SPDX-License-Identifier: MIT
// The engine awaits its store: a store whose every call takes a network round trip (here 5 ms on
// an asio timer) must not serialise the runs sharing an executor. Proven structurally: the fake
// store counts the calls in flight at once, and the engine never calls its blocking operations.

#include "support.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>

using namespace weft;
using namespace engine_test;
using boost::asio::awaitable;

namespace {

/// A MemoryCheckpointer behind a pretend network: each awaitable operation waits 5 ms on a timer
/// of the caller's executor before doing its work. The blocking operations count their callers
/// (a run must make none) and still work, for the test's own reads.
class LatentStore final : public Checkpointer, public EffectJournal {
 public:
  std::shared_ptr<MemoryCheckpointer> inner = std::make_shared<MemoryCheckpointer>();
  int in_flight = 0;  // touched only from the test's single io thread
  int max_in_flight = 0;
  int awaited_calls = 0;
  std::atomic<int> blocking_calls{0};
  bool inline_operations = false;  // what completes_inline() answers

  bool completes_inline() const noexcept override { return inline_operations; }

  // Blocking operations: forwarded, counted.
  void put_writes(const TaskWrites& w, Durability d) override {
    ++blocking_calls;
    inner->put_writes(w, d);
  }
  void put_checkpoint(const CheckpointRecord& r, const json::object& v, Durability d) override {
    ++blocking_calls;
    inner->put_checkpoint(r, v, d);
  }
  std::optional<CheckpointTuple> get(const std::string& t, const std::string& ns, const std::string& id) override {
    ++blocking_calls;
    return inner->get(t, ns, id);
  }
  std::vector<CheckpointTuple> list(const std::string& t, const std::string& ns, const ListOptions& o) override {
    ++blocking_calls;
    return inner->list(t, ns, o);
  }
  void set_thread_status(const std::string& t, ThreadStatus s, const std::string& g, const json::object& m) override {
    ++blocking_calls;
    inner->set_thread_status(t, s, g, m);
  }
  std::optional<ThreadInfo> thread(const std::string& t) override { return inner->thread(t); }
  std::vector<ThreadInfo> threads() override { return inner->threads(); }
  void delete_thread(const std::string& t) override { inner->delete_thread(t); }
  std::unique_ptr<ThreadLease> acquire_lease(const std::string& t) override {
    ++blocking_calls;
    return inner->acquire_lease(t);
  }
  void flush() override { ++blocking_calls; }
  EffectEntry find(const std::string& t, const std::string& k) override {
    ++blocking_calls;
    return inner->find(t, k);
  }
  void begin(const std::string& t, const std::string& k) override {
    ++blocking_calls;
    inner->begin(t, k);
  }
  void begin_request(const std::string& t, const std::string& k, const std::string& d) override {
    ++blocking_calls;
    inner->begin_request(t, k, d);
  }
  void finish(const std::string& t, const std::string& k, const json::value& r) override {
    ++blocking_calls;
    inner->finish(t, k, r);
  }
  void abandon(const std::string& t, const std::string& k) override {
    ++blocking_calls;
    inner->abandon(t, k);
  }

  // Awaitable operations: a round trip, then the work.
  awaitable<void> async_put_writes(TaskWrites w, Durability d) override {
    auto trip = round_trip();
    co_await std::move(trip);
    inner->put_writes(w, d);
  }
  awaitable<void> async_put_checkpoint(CheckpointRecord r, const json::object* v, Durability d) override {
    auto trip = round_trip();
    co_await std::move(trip);
    inner->put_checkpoint(r, *v, d);
  }
  awaitable<std::optional<CheckpointTuple>> async_get(std::string t, std::string ns, std::string id) override {
    auto trip = round_trip();
    co_await std::move(trip);
    co_return inner->get(t, ns, id);
  }
  awaitable<std::vector<CheckpointTuple>> async_list(std::string t, std::string ns, ListOptions o) override {
    auto trip = round_trip();
    co_await std::move(trip);
    co_return inner->list(t, ns, o);
  }
  awaitable<void> async_set_thread_status(std::string t, ThreadStatus s, std::string g, json::object m) override {
    auto trip = round_trip();
    co_await std::move(trip);
    inner->set_thread_status(t, s, g, m);
  }
  awaitable<RunStart> async_start_run(std::string t, std::string id) override {
    auto trip = round_trip();
    co_await std::move(trip);
    RunStart start;
    start.lease = inner->acquire_lease(t);
    start.checkpoint = inner->get(t, "", id);
    co_return start;
  }
  awaitable<void> async_flush() override {
    auto trip = round_trip();
    co_await std::move(trip);
  }
  awaitable<EffectEntry> async_find(std::string t, std::string k) override {
    auto trip = round_trip();
    co_await std::move(trip);
    co_return inner->find(t, k);
  }
  awaitable<void> async_begin_request(std::string t, std::string k, std::string d) override {
    auto trip = round_trip();
    co_await std::move(trip);
    inner->begin_request(t, k, d);
  }
  awaitable<void> async_finish(std::string t, std::string k, json::value r) override {
    auto trip = round_trip();
    co_await std::move(trip);
    inner->finish(t, k, r);
  }
  awaitable<void> async_abandon(std::string t, std::string k) override {
    auto trip = round_trip();
    co_await std::move(trip);
    inner->abandon(t, k);
  }

 private:
  awaitable<void> round_trip() {
    ++awaited_calls;
    max_in_flight = std::max(max_in_flight, ++in_flight);
    auto executor = co_await boost::asio::this_coro::executor;
    boost::asio::steady_timer timer(executor, std::chrono::milliseconds(5));
    auto waiting = timer.async_wait(boost::asio::use_awaitable);
    co_await std::move(waiting);
    --in_flight;
  }
};

/// START -> send (an effect) -> count -> END.
CompiledGraph effect_graph() {
  StateGraph g({{"sent", Channel::last_value()}, {"n", Channel::counter()}}, "latent");
  g.add_node("send", [](StateView, NodeContext ctx) -> awaitable<json::object> {
    auto sending = ctx.effect("send", [] { return json::value("sent"); });
    json::value sent = co_await std::move(sending);
    co_return json::object{{"sent", sent}};
  });
  g.add_node("count", writes(R"({"n":1})"));
  g.add_edge(std::string(START), "send");
  g.add_edge("send", "count");
  return g.compile();
}

/// START -> (a, b) -> join -> END: a step of two tasks, so one task's writes are put on their own.
CompiledGraph fan_graph() {
  StateGraph g({{"log", Channel::append()}}, "fan");
  g.add_node("a", writes(R"({"log":["a"]})"));
  g.add_node("b", writes(R"({"log":["b"]})"));
  g.add_node("join", writes(R"({"log":["join"]})"));
  g.add_edge(std::string(START), "a");
  g.add_edge(std::string(START), "b");
  g.add_edge(std::vector<std::string>{"a", "b"}, "join");
  return g.compile();
}

RunResult run_on(const CompiledGraph& graph, std::shared_ptr<LatentStore> store, const std::string& thread,
                 Durability durability) {
  RunConfig config;
  config.thread_id = thread;
  config.checkpointer = store;
  config.durability = durability;
  return graph.invoke(json::object(), config);
}

}  // namespace

TEST_CASE("a store whose operations complete inline is called directly, one that suspends is always awaited") {
  const CompiledGraph graph = fan_graph();
  for (Durability durability : {Durability::sync, Durability::async, Durability::exit}) {
    CAPTURE(static_cast<int>(durability));
    auto awaited = std::make_shared<LatentStore>();
    RunResult through_awaits = run_on(graph, awaited, "t", durability);
    auto direct = std::make_shared<LatentStore>();
    direct->inline_operations = true;
    RunResult through_calls = run_on(graph, direct, "t", durability);

    REQUIRE(through_awaits.status == RunStatus::done);
    REQUIRE(through_calls.status == RunStatus::done);
    CHECK(awaited->blocking_calls == 0);
    CHECK(awaited->awaited_calls > 0);
    CHECK(direct->awaited_calls == 0);
    CHECK(direct->blocking_calls > 0);
    // Both stores hold the same thread: the same checkpoints, values and status.
    CHECK(through_calls.values == through_awaits.values);
    CHECK(through_calls.values.at("log").as_array().size() == 3);
    auto history_awaited = awaited->inner->list("t", "", {});
    auto history_direct = direct->inner->list("t", "", {});
    REQUIRE(history_direct.size() == history_awaited.size());
    for (std::size_t i = 0; i < history_direct.size(); ++i) {
      CHECK(history_direct[i].record.id == history_awaited[i].record.id);
      CHECK(history_direct[i].values == history_awaited[i].values);
    }
    CHECK(direct->inner->thread("t")->status == ThreadStatus::done);
    CHECK(awaited->inner->thread("t")->status == ThreadStatus::done);
  }
}

TEST_CASE("a store whose every call takes a round trip does not serialise 100 concurrent runs") {
  auto store = std::make_shared<LatentStore>();
  const CompiledGraph graph = effect_graph();
  boost::asio::io_context io;  // one thread: runs overlap only if the engine awaits the store
  constexpr int kRuns = 100;
  int done = 0;
  for (int i = 0; i < kRuns; ++i) {
    RunConfig config;
    config.thread_id = "thread-" + std::to_string(i);
    config.checkpointer = store;
    config.durability = Durability::sync;
    boost::asio::co_spawn(io, graph.run(json::object{{"n", 0}}, config), [&](std::exception_ptr e, RunResult result) {
      CHECK_FALSE(e);
      if (!e && result.status == RunStatus::done) ++done;
    });
  }
  io.run();

  CHECK(done == kRuns);
  CHECK(store->blocking_calls == 0);  // the engine made no blocking store call
  CHECK(store->max_in_flight >= kRuns / 2);
  MESSAGE("calls awaited: " << store->awaited_calls << ", at most " << store->max_in_flight << " in flight");
  // Each run's effect and checkpoints really went through the store.
  for (int i = 0; i < kRuns; ++i) {
    const std::string thread = "thread-" + std::to_string(i);
    auto latest = store->inner->get(thread, "", "");
    REQUIRE(latest);
    CHECK(latest->values.at("sent") == "sent");
    CHECK(latest->values.at("n") == 1);
  }
}
