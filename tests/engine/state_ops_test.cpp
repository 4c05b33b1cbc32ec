// SPDX-License-Identifier: MIT
// State operations against a store with leases: update_state advances a thread like a run does,
// so it must hold the thread's lease while it writes.

#include "support.hpp"

#include "store/error.hpp"
#include "store/sqlite_store.hpp"

#include <filesystem>
#include <unistd.h>

using namespace weft;
using namespace engine_test;

namespace {

/// A fresh directory for one case's database, removed at the end.
struct ScratchDir {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("weft-engine-state-ops-" + std::to_string(::getpid()) + "-" +
                                                std::to_string(reinterpret_cast<std::uintptr_t>(this)));
  ScratchDir() { std::filesystem::create_directories(path); }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

CompiledGraph one_step_graph() {
  StateGraph g({{"n", Channel::counter()}}, "one");
  g.add_node("add", writes(R"({"n":1})"));
  g.add_edge(std::string(START), "add");
  return g.compile();
}

}  // namespace

TEST_CASE("update_state while another holder has the thread's lease is refused with thread_busy") {
  ScratchDir dir;
  auto store = std::make_shared<SqliteStore>((dir.path / "w.db").string());
  CompiledGraph graph = one_step_graph();
  RunConfig config;
  config.thread_id = "busy";
  config.checkpointer = store;
  REQUIRE(graph.invoke(json::object(), config).status == RunStatus::done);
  store->flush();
  const std::size_t history = graph.get_state_history(config).size();

  {
    auto held = store->acquire_lease("busy");  // another run of the thread is under way
    Error e = error_from([&] { graph.update_state(config, object(R"({"n":5})")); });
    CHECK(e.code() == store::error::thread_busy);
    CHECK(contains(e.what(), "graph 'one': update_state refused"));
    CHECK(contains(e.what(), "thread 'busy' is being run by pid"));
    CHECK(graph.get_state_history(config).size() == history);  // nothing written
  }

  // Released: the update goes through, and leaves the lease free for the next run.
  graph.update_state(config, object(R"({"n":5})"));
  CHECK(graph.get_state(config)->values.at("n") == 6);
  CHECK(graph.invoke(nullptr, config).status == RunStatus::done);
}
