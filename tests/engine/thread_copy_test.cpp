// SPDX-License-Identifier: MIT
// pending_writes_for_copy: a thread copied checkpoint by checkpoint, its pending writes re-keyed,
// resumes its interrupts as the source would, Send tasks with equal payloads included.

#include "support.hpp"

#include "engine/thread_copy.hpp"

#include <algorithm>
#include <string>
#include <vector>

using namespace weft;
using namespace engine_test;

namespace {

/// START sends {"who": a}, {"who": b}, {"who": b} to "ask", which interrupts once per task.
CompiledGraph asking_graph(int* asked) {
  StateGraph g({{"who", Channel::last_value()}, {"answers", Channel::append()}}, "asking");
  g.add_node("ask", [asked](StateView s, NodeContext ctx) {
    ++*asked;
    json::value answer = ctx.interrupt(json::object{{"question", s.get("who")}});
    return json::object{{"answers", json::array{json::value(std::string(s.get_string("who")) + "=" +
                                                            std::string(answer.as_string()))}}};
  });
  g.add_conditional_edges(std::string(START), [](StateView) {
    return Route(std::vector<Send>{Send{"ask", json::object{{"who", "a"}}}, Send{"ask", json::object{{"who", "b"}}},
                                   Send{"ask", json::object{{"who", "b"}}}});
  });
  return g.compile();
}

/// Copies every root checkpoint of `from` to `to`, with the pending writes as `rekey` says.
void copy_thread(MemoryCheckpointer& store, const std::string& from, const std::string& to, bool rekey) {
  std::vector<CheckpointTuple> checkpoints = store.list(from, "", {});
  for (auto it = checkpoints.rbegin(); it != checkpoints.rend(); ++it) {
    CheckpointRecord record = it->record;
    record.thread_id = to;
    record.deltas.clear();
    for (const auto& [key, value] : it->values) record.deltas.push_back({std::string(key), DeltaOp::replace, value});
    store.put_checkpoint(record, it->values, Durability::sync);
    std::vector<TaskWrites> writes = rekey ? pending_writes_for_copy(*it, from, to) : it->pending_writes;
    for (TaskWrites& w : writes) {
      w.thread_id = to;
      store.put_writes(w, Durability::sync);
    }
  }
}

Command answer_each(const std::vector<Interrupt>& interrupts) {
  json::object by_id;
  for (const Interrupt& i : interrupts) by_id[i.id] = "yes-" + std::string(i.value.at("question").as_string());
  Command command;
  command.resume = json::value(std::move(by_id));
  return command;
}

}  // namespace

TEST_CASE("a copied thread's pending interrupts, Sends with equal payloads included, are answered as the source's") {
  auto store = std::make_shared<MemoryCheckpointer>();
  int asked = 0;
  const CompiledGraph graph = asking_graph(&asked);
  RunResult paused = graph.invoke(json::object(), thread_config(store, "source"));
  REQUIRE(paused.status == RunStatus::interrupted);
  REQUIRE(paused.interrupts.size() == 3);

  copy_thread(*store, "source", "copy", true);
  auto copy_state = graph.get_state(thread_config(store, "copy"));
  REQUIRE(copy_state);
  REQUIRE(copy_state->interrupts.size() == 3);
  for (const Interrupt& i : copy_state->interrupts)
    for (const Interrupt& s : paused.interrupts) CHECK(i.id != s.id);  // ids stay thread-scoped

  asked = 0;
  RunResult done = graph.invoke_resume(answer_each(copy_state->interrupts), thread_config(store, "copy"));
  REQUIRE(done.status == RunStatus::done);
  CHECK(asked == 3);  // each task ran once more, to take its answer
  json::array answers = done.values.at("answers").as_array();
  std::vector<std::string> got;
  for (const auto& a : answers) got.emplace_back(a.as_string());
  std::sort(got.begin(), got.end());
  CHECK(got == std::vector<std::string>{"a=yes-a", "b=yes-b", "b=yes-b"});
  // The source is untouched and still waits.
  auto source_state = graph.get_state(thread_config(store, "source"));
  REQUIRE(source_state);
  CHECK(source_state->interrupts.size() == 3);
  CHECK_FALSE(source_state->values.contains("answers"));
}

TEST_CASE("a copy whose pending writes keep the source's task ids asks again instead of taking the answer") {
  // What the copy did before pending_writes_for_copy: the answer addressed by the copied
  // interrupt ids matches no task of the copy, so every node asks again.
  auto store = std::make_shared<MemoryCheckpointer>();
  int asked = 0;
  const CompiledGraph graph = asking_graph(&asked);
  REQUIRE(graph.invoke(json::object(), thread_config(store, "source")).status == RunStatus::interrupted);
  copy_thread(*store, "source", "raw", false);
  auto raw_state = graph.get_state(thread_config(store, "raw"));
  REQUIRE(raw_state);
  REQUIRE(raw_state->interrupts.size() == 3);
  RunResult again = graph.invoke_resume(answer_each(raw_state->interrupts), thread_config(store, "raw"));
  CHECK(again.status == RunStatus::interrupted);
}
