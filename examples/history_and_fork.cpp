// SPDX-License-Identifier: MIT
// Reading a thread's history and forking.
//
// A counter loops until it reaches a limit, checkpointing every step. We list the checkpoints,
// pick an old one, change its state (update_state writes a new checkpoint whose parent is the old
// one) and run from there: a new branch, while the original history stays intact.
//
//   example_history_and_fork [DB_PATH]

#include <weft/engine/compiled_graph.hpp>
#include <weft/engine/state_graph.hpp>
#include <weft/store/sqlite_store.hpp>

#include <boost/json.hpp>

#include <cstdio>
#include <iostream>
#include <memory>

namespace json = boost::json;

int main(int argc, char** argv) {
  const std::string db_path = argc > 1 ? argv[1] : "history_and_fork.db";
  std::remove(db_path.c_str());
  auto store = std::make_shared<weft::SqliteStore>(db_path);

  weft::StateGraph builder({{"count", weft::Channel::counter()}, {"limit", weft::Channel::last_value()}}, "counter");
  builder.add_node("increment", [](weft::StateView, weft::NodeContext) { return json::object{{"count", 1}}; });
  builder.add_edge(std::string(weft::START), "increment");
  builder.add_conditional_edges("increment", [](weft::StateView state) -> std::string {
    return state.get_int("count") < state.get_int("limit") ? "increment" : std::string(weft::END);
  });
  weft::CompiledGraph graph = builder.compile({.checkpointer = store});

  weft::RunConfig config;
  config.thread_id = "counter-1";
  graph.invoke(json::object{{"limit", 3}}, config).check();

  std::vector<weft::StateSnapshot> history = graph.get_state_history(config);
  std::cout << "history of " << config.thread_id << " (newest first):\n";
  for (const weft::StateSnapshot& s : history) {
    const json::value* count = s.values.if_contains("count");
    std::cout << "  step " << s.step << "  " << s.source << "  count=" << (count ? json::serialize(*count) : "-")
              << "  next=" << (s.next.empty() ? "-" : s.next.front()) << "  id=" << s.checkpoint_id << "\n";
  }

  // Fork from the checkpoint where count was 1: raise the limit there and run the new branch.
  const weft::StateSnapshot* fork_point = nullptr;
  for (const weft::StateSnapshot& s : history) {
    const json::value* count = s.values.if_contains("count");
    if (count && count->is_int64() && count->as_int64() == 1 && !s.next.empty()) fork_point = &s;
  }
  if (!fork_point) {
    std::cerr << "no checkpoint with count 1\n";
    return 1;
  }
  weft::RunConfig at_fork = config;
  at_fork.checkpoint_id = fork_point->checkpoint_id;
  at_fork.checkpoint_id = graph.update_state(at_fork, json::object{{"limit", 5}});
  weft::RunResult branch = graph.invoke(nullptr, at_fork);
  std::cout << "forked branch finished with count=" << json::serialize(branch.values.at("count"))
            << "; history now has " << graph.get_state_history(config).size() << " checkpoints (was " << history.size()
            << ")\n";
  return branch.status == weft::RunStatus::done ? 0 : 1;
}
