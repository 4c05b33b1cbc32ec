// SPDX-License-Identifier: MIT
// Checkpointing: deltas, history, get_state, update_state, fork, durability, the memory store.

#include "support.hpp"

using namespace weft;
using namespace engine_test;

namespace {

/// START -> add -> (loop while n < limit) -> END; each step appends n to "log" and adds 1 to n.
CompiledGraph counting_graph(int limit) {
  StateGraph g({{"n", Channel::counter()}, {"log", Channel::append()}, {"label", Channel::last_value()}}, "count");
  g.add_node("add", [](StateView s, NodeContext) {
    return json::object{{"n", 1}, {"log", json::array{s.get_int("n")}}};
  });
  g.add_node("finish", writes(R"({"label":"finished"})"));
  g.add_edge(std::string(START), "add");
  g.add_conditional_edges(
      "add", [limit](StateView s) -> Route { return s.get_int("n") < limit ? Route("add") : Route("finish"); },
      std::vector<std::string>{"add", "finish"});
  return g.compile();
}

/// Records every call the engine makes, on top of a MemoryCheckpointer.
class RecordingStore final : public Checkpointer {
 public:
  std::shared_ptr<MemoryCheckpointer> inner = std::make_shared<MemoryCheckpointer>();
  std::vector<CheckpointRecord> records;
  std::vector<TaskWrites> writes;
  std::vector<Durability> durabilities;
  int leases = 0;
  void put_writes(const TaskWrites& w, Durability d) override {
    writes.push_back(w);
    durabilities.push_back(d);
    inner->put_writes(w, d);
  }
  void put_checkpoint(const CheckpointRecord& r, const json::object& values, Durability d) override {
    records.push_back(r);
    durabilities.push_back(d);
    inner->put_checkpoint(r, values, d);
  }
  std::optional<CheckpointTuple> get(const std::string& t, const std::string& ns, const std::string& id) override {
    return inner->get(t, ns, id);
  }
  std::vector<CheckpointTuple> list(const std::string& t, const std::string& ns, const ListOptions& o) override {
    return inner->list(t, ns, o);
  }
  void set_thread_status(const std::string& t, ThreadStatus s, const std::string& g, const json::object& m) override {
    inner->set_thread_status(t, s, g, m);
  }
  std::optional<ThreadInfo> thread(const std::string& t) override { return inner->thread(t); }
  std::vector<ThreadInfo> threads() override { return inner->threads(); }
  void delete_thread(const std::string& t) override { inner->delete_thread(t); }
  std::unique_ptr<ThreadLease> acquire_lease(const std::string& t) override {
    ++leases;
    return Checkpointer::acquire_lease(t);
  }
};

}  // namespace

TEST_CASE("each step writes a checkpoint whose deltas hold only what changed") {
  auto store = std::make_shared<RecordingStore>();
  RunConfig config;
  config.thread_id = "t";
  config.checkpointer = store;
  RunResult result = counting_graph(3).invoke(object(R"({"label":"start"})"), config);
  REQUIRE(result.status == RunStatus::done);
  CHECK(store->leases == 1);
  // input, add x3, finish
  REQUIRE(store->records.size() == 5);
  CHECK(store->records[0].source == CheckpointSource::input);
  CHECK(store->records[0].step == -1);
  CHECK(store->records[1].step == 0);
  CHECK(store->records[1].parent_id == store->records[0].id);
  for (std::size_t i = 1; i < store->records.size(); ++i) CHECK(store->records[i - 1].id < store->records[i].id);
  const CheckpointRecord& second_add = store->records[2];
  REQUIRE(second_add.deltas.size() == 2);  // "label" untouched: no delta
  CHECK(second_add.deltas[0].channel == "log");
  CHECK(second_add.deltas[0].op == DeltaOp::append);
  CHECK(second_add.deltas[0].value == json::parse("[1]"));
  CHECK(second_add.deltas[1].channel == "n");
  CHECK(second_add.deltas[1].op == DeltaOp::replace);
  CHECK(second_add.next.at("pull") == json::parse(R"(["add"])"));
  CHECK(store->records.back().next.at("pull").as_array().empty());
  // Every step has one task, which completes it: its writes travel as the step's deltas, no
  // separate pending-writes record (one store write per step).
  CHECK(store->writes.empty());
  CHECK(store->inner->thread("t")->status == ThreadStatus::done);
}

namespace {

/// START -> (a || b) -> END, both sync; `b_update` is what b returns (a writes {"a": 1}).
CompiledGraph parallel_graph(json::object b_update, bool b_fails = false) {
  StateGraph g({{"a", Channel::last_value()}, {"b", Channel::last_value()}}, "parallel");
  g.add_node("a", writes(R"({"a":1})"));
  g.add_node("b", [b_update, b_fails](StateView, NodeContext) -> json::object {
    if (b_fails) throw std::runtime_error("b broke");
    return b_update;
  });
  g.add_edge(std::string(START), "a");
  g.add_edge(std::string(START), "b");
  g.add_edge("a", std::string(END));
  g.add_edge("b", std::string(END));
  return g.compile();
}

}  // namespace

TEST_CASE("a task finishing before its siblings is saved at once and the step's last task travels in its checkpoint") {
  auto store = std::make_shared<RecordingStore>();
  RunConfig config;
  config.thread_id = "t";
  config.checkpointer = store;
  RunResult result = parallel_graph(object(R"({"b":2})")).invoke(json::object(), config);
  REQUIRE(result.status == RunStatus::done);
  REQUIRE(store->writes.size() == 1);  // a (b was still to run); not b, which completed the step
  CHECK(store->writes[0].task_name == "a");
  REQUIRE(store->records.size() == 2);
  CHECK(store->writes[0].checkpoint_id == store->records[0].id);
  const auto& deltas = store->records[1].deltas;
  REQUIRE(deltas.size() == 2);  // b's write reached the store as the checkpoint's delta
  CHECK(deltas[1].channel == "b");
  CHECK(deltas[1].value == 2);
  CHECK(store->inner->get("t", "")->values == object(R"({"a":1,"b":2})"));
}

TEST_CASE("when a step fails every finished task's writes are saved before the run reports") {
  SUBCASE("a task fails") {
    auto store = std::make_shared<RecordingStore>();
    RunConfig config;
    config.thread_id = "t";
    config.checkpointer = store;
    RunResult result = parallel_graph(json::object(), true).invoke(json::object(), config);
    REQUIRE(result.status == RunStatus::failed);
    REQUIRE(store->writes.size() == 2);
    CHECK(store->writes[0].task_name == "a");
    CHECK(store->writes[1].task_name == "b");
    CHECK(store->writes[1].writes.at(0).channel == kErrorChannel);
  }
  SUBCASE("every task succeeds but the barrier rejects their writes") {
    auto store = std::make_shared<RecordingStore>();
    RunConfig config;
    config.thread_id = "t";
    config.checkpointer = store;
    // Both write the last_value key "a" in one step: a concurrent_update at the barrier.
    RunResult result = parallel_graph(object(R"({"a":2})")).invoke(json::object(), config);
    REQUIRE(result.status == RunStatus::failed);
    CHECK(result.error->code == std::error_code(engine::error::concurrent_update));
    REQUIRE(store->records.size() == 1);  // no checkpoint for the failed step
    REQUIRE(store->writes.size() == 2);   // b, left to that checkpoint, was saved after all
    CHECK(store->writes[0].task_name == "a");
    CHECK(store->writes[1].task_name == "b");
    CHECK(store->writes[1].checkpoint_id == store->records[0].id);
    auto saved = store->inner->get("t", "");
    REQUIRE(saved);
    CHECK(saved->pending_writes.size() == 2);  // a resume reuses both, re-running neither
  }
}

TEST_CASE("durability is passed through, and exit durability writes one checkpoint at the end") {
  auto store = std::make_shared<RecordingStore>();
  RunConfig config;
  config.thread_id = "t";
  config.checkpointer = store;
  config.durability = Durability::sync;
  counting_graph(3).invoke(json::object(), config);
  for (Durability d : store->durabilities) CHECK(d == Durability::sync);

  auto exit_store = std::make_shared<RecordingStore>();
  config.checkpointer = exit_store;
  config.durability = Durability::exit;
  RunResult result = counting_graph(3).invoke(json::object(), config);
  REQUIRE(exit_store->records.size() == 1);
  CHECK(exit_store->writes.empty());
  auto saved = exit_store->inner->get("t", "");
  REQUIRE(saved);
  CHECK(saved->values == result.values);  // the folded deltas rebuild the whole run
  CHECK(saved->record.step == 3);
}

TEST_CASE("get_state and get_state_history read the thread's checkpoints newest first") {
  auto store = std::make_shared<MemoryCheckpointer>();
  auto graph = counting_graph(2);
  RunConfig config = thread_config(store);
  graph.invoke(json::object(), config);
  auto state = graph.get_state(config);
  REQUIRE(state);
  CHECK(state->values.at("label") == "finished");
  CHECK(state->next.empty());
  CHECK(state->source == "loop");
  auto history = graph.get_state_history(config);
  REQUIRE(history.size() == 4);  // input, add, add, finish
  CHECK(history.front().checkpoint_id == state->checkpoint_id);
  CHECK(history.back().source == "input");
  CHECK(history[1].next == std::vector<std::string>{"finish"});
  CHECK(history[2].values.at("n") == 1);
  CHECK(graph.get_state_history(config, 2).size() == 2);
  RunConfig other = thread_config(store, "nobody");
  CHECK_FALSE(graph.get_state(other));
}

TEST_CASE("update_state as a node writes an update checkpoint and that node's edges decide what runs") {
  auto store = std::make_shared<MemoryCheckpointer>();
  auto graph = counting_graph(2);
  RunConfig config = thread_config(store);
  config.interrupt_before = {"finish"};
  RunResult paused = graph.invoke(json::object(), config);
  REQUIRE(paused.status == RunStatus::interrupted);
  CHECK(paused.values.at("n") == 2);

  // As "add" with n += -1: the router sees n == 1 < 2 and schedules add again instead of finish.
  std::string id = graph.update_state(config, object(R"({"n":-1,"label":"edited"})"), "add");
  auto state = graph.get_state(config);
  CHECK(state->checkpoint_id == id);
  CHECK(state->source == "update");
  CHECK(state->values.at("n") == 1);
  CHECK(state->next == std::vector<std::string>{"add", "finish"});

  Error e = error_from([&] { graph.update_state(config, json::object(), "ghost"); });
  CHECK(contains(e.what(), "update_state as unknown node 'ghost'"));
}

TEST_CASE("forking from an old checkpoint starts a new branch and keeps the old history intact") {
  auto store = std::make_shared<MemoryCheckpointer>();
  int finish_runs = 0;
  StateGraph g({{"choice", Channel::last_value()}, {"result", Channel::last_value()}}, "fork");
  g.add_node("choose", [](StateView, NodeContext) {});
  g.add_node("finish", [&finish_runs](StateView s, NodeContext) {
    ++finish_runs;
    return json::object{{"result", "chose " + std::string(s.get_string("choice"))}};
  });
  g.add_edge(std::string(START), "choose");
  g.add_edge("choose", "finish");
  auto graph = g.compile();
  RunConfig config = thread_config(store);
  RunResult original = graph.invoke(object(R"({"choice":"A"})"), config);
  CHECK(original.values.at("result") == "chose A");
  auto history = graph.get_state_history(config);
  REQUIRE(history.size() == 3);
  const StateSnapshot before_finish = history[1];  // after "choose", "finish" next
  REQUIRE(before_finish.next == std::vector<std::string>{"finish"});

  // Fork-with-edit: update the old checkpoint, then run from the new one.
  RunConfig at_old = config;
  at_old.checkpoint_id = before_finish.checkpoint_id;
  std::string edited = graph.update_state(at_old, object(R"({"choice":"B"})"));
  RunConfig at_edit = config;
  at_edit.checkpoint_id = edited;
  RunResult forked = graph.invoke(json::value(nullptr), at_edit);
  CHECK(forked.values.at("result") == "chose B");
  CHECK(finish_runs == 2);

  // Plain fork (no edit) re-executes the old checkpoint's tasks on a new branch.
  RunResult replay = graph.invoke(json::value(nullptr), at_old);
  CHECK(replay.values.at("result") == "chose A");
  CHECK(finish_runs == 3);

  auto all = graph.get_state_history(config);
  CHECK(all.size() == 3 + 2 + 2);  // update + loop; fork + loop
  CHECK(graph.get_state(config)->checkpoint_id == replay.checkpoint_id);
  for (const StateSnapshot& s : history) {  // the original branch is unchanged
    RunConfig at = config;
    at.checkpoint_id = s.checkpoint_id;
    auto again = graph.get_state(at);
    REQUIRE(again);
    CHECK(again->values == s.values);
    CHECK(again->parent_id == s.parent_id);
  }
  bool saw_fork = false;
  for (const StateSnapshot& s : all)
    saw_fork = saw_fork || (s.source == "fork" && s.parent_id == before_finish.checkpoint_id);
  CHECK(saw_fork);
}

TEST_CASE("a run without a thread id but with a checkpointer is refused") {
  auto store = std::make_shared<MemoryCheckpointer>();
  RunConfig config;
  config.checkpointer = store;
  Error e = error_from([&] { counting_graph(1).invoke(json::object(), config); });
  CHECK(e.code() == engine::error::invalid_input);
  CHECK(contains(e.what(), "needs RunConfig::thread_id"));
}

TEST_CASE("continuing a thread that has no checkpoint is refused with a clear error") {
  auto store = std::make_shared<MemoryCheckpointer>();
  Error e = error_from([&] { counting_graph(1).invoke(json::value(nullptr), thread_config(store)); });
  CHECK(e.code() == engine::error::checkpoint_not_found);
}

TEST_CASE("the memory checkpointer keeps deltas with periodic snapshots and folds them back") {
  auto store = std::make_shared<MemoryCheckpointer>(8);
  auto graph = counting_graph(50);
  RunConfig config = thread_config(store);
  RunResult result = graph.invoke(json::object(), config);
  REQUIRE(result.status == RunStatus::done);
  CHECK(store->checkpoint_count("t1") == 52);
  CHECK(store->snapshot_count("t1") <= 52 / 8 + 1);
  CHECK(store->snapshot_count("t1") >= 52 / 8);
  CHECK(store->get("t1", "")->values == result.values);
  CHECK(result.values.at("log").as_array().size() == 50);
  auto history = graph.get_state_history(config);
  for (const StateSnapshot& s : history) {
    if (s.source == "loop" && s.values.at("n").as_int64() < 50)
      CHECK(s.values.at("log").as_array().size() == static_cast<std::size_t>(s.values.at("n").as_int64()));
  }
}

TEST_CASE("the memory checkpointer stamps threads and effects with its injected clock") {
  auto clock = std::make_shared<ManualClock>();
  MemoryCheckpointer store(32, clock);
  store.set_thread_status("t1", ThreadStatus::running, "g", json::object());
  clock->advance(std::chrono::milliseconds(1'500));
  store.set_thread_status("t1", ThreadStatus::done, "g", json::object());
  std::optional<ThreadInfo> info = store.thread("t1");
  REQUIRE(info);
  CHECK(info->created_at_ms == clock->now_ms() - 1'500);
  CHECK(info->updated_at_ms == clock->now_ms());
  store.begin("t1", "send-mail");
  clock->advance(std::chrono::milliseconds(250));
  store.finish("t1", "send-mail", json::value("ok"));
  EffectEntry entry = store.find("t1", "send-mail");
  CHECK(entry.started_at_ms == clock->now_ms() - 250);
  CHECK(entry.finished_at_ms == clock->now_ms());
}

TEST_CASE("new input on an existing thread continues from its state") {
  auto store = std::make_shared<MemoryCheckpointer>();
  auto graph = counting_graph(2);
  RunConfig config = thread_config(store);
  graph.invoke(json::object(), config);
  RunResult second = graph.invoke(object(R"({"label":"again"})"), config);
  CHECK(second.values.at("n") == 3);  // one more add: n was already 2
  CHECK(second.values.at("label") == "finished");
}
