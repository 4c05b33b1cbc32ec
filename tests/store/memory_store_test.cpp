// SPDX-License-Identifier: MIT
// Long-term memory (engine/store.hpp) through the engine: a node using it from two conversation
// threads on two OS threads; the SQLite store across a restart (the file reopened by a new store).
// The Store contract itself is in tests/conformance/memory_store_conformance_test.cpp.

#include "fixtures.hpp"

#include "engine/error.hpp"
#include "engine/state_graph.hpp"
#include "store/memory_store.hpp"
#include "store/sqlite_memory_store.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/serialize.hpp>

#include <doctest/doctest.h>

#include <functional>
#include <thread>

using namespace weft;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

template <class T>
T await(boost::asio::awaitable<T> work) {
  boost::asio::io_context io;
  std::optional<T> out;
  std::exception_ptr error;
  boost::asio::co_spawn(io, std::move(work), [&](std::exception_ptr e, T value) {
    error = e;
    if (!e) out = std::move(value);
  });
  io.run();
  if (error) std::rethrow_exception(error);
  return std::move(*out);
}

}  // namespace

namespace {

// "remember": writes the customer's plan to memory. "recall": reads it into the state.
CompiledGraph memory_graph(std::shared_ptr<Store> store) {
  StateGraph g(
      {{"customer", Channel::last_value()}, {"plan", Channel::last_value()}, {"known_plan", Channel::last_value()}},
      "memory");
  g.add_node("remember", [](StateView state, NodeContext ctx) -> boost::asio::awaitable<json::object> {
    if (!state.contains("plan")) co_return json::object{};
    StoreNamespace ns{"customers", std::string(state.at("customer").as_string())};
    json::object value{{"plan", state.at("plan")}};
    // Hoisted: no co_await in a full-expression building temporaries (GCC 12, STYLE.md).
    boost::asio::awaitable<void> saving = ctx.store().put(std::move(ns), "plan", std::move(value));
    co_await std::move(saving);
    co_return json::object{};
  });
  g.add_node("recall", [](StateView state, NodeContext ctx) -> boost::asio::awaitable<json::object> {
    StoreNamespace ns{"customers", std::string(state.at("customer").as_string())};
    boost::asio::awaitable<std::optional<StoreItem>> reading = ctx.store().get(std::move(ns), "plan");
    std::optional<StoreItem> item = co_await std::move(reading);
    json::object update;
    update["known_plan"] = item ? item->value.at("plan") : json::value(nullptr);
    co_return update;
  });
  g.add_edge(std::string(START), "remember");
  g.add_edge("remember", "recall");
  CompileOptions options;
  options.store = std::move(store);
  return g.compile(options);
}

RunConfig conversation(std::string thread, std::shared_ptr<Checkpointer> checkpointer) {
  RunConfig config;
  config.thread_id = std::move(thread);
  config.checkpointer = std::move(checkpointer);
  return config;
}

}  // namespace

TEST_CASE(
    "a node remembers a customer's plan in one conversation and another conversation on another OS thread reads it") {
  test::TempDir dir;
  auto checkpoints = std::make_shared<SqliteStore>(dir.file("weft.db"));
  auto memory = std::make_shared<SqliteMemoryStore>(dir.file("weft.db"));
  const CompiledGraph graph = memory_graph(memory);

  RunResult wrote;
  std::thread writer([&] {
    wrote = graph.invoke(json::object{{"customer", "c-42"}, {"plan", "pro"}}, conversation("conv-1", checkpoints));
  });
  writer.join();
  REQUIRE(wrote.status == RunStatus::done);

  RunResult read;
  std::thread reader([&] {
    read = graph.invoke(json::object{{"customer", "c-42"}}, conversation("conv-2", checkpoints));
  });
  reader.join();
  REQUIRE(read.status == RunStatus::done);
  CHECK(read.values.at("known_plan") == "pro");

  // Two conversations at once on two OS threads, each writing and reading its own customer.
  RunResult a, b;
  std::thread ta([&] {
    a = graph.invoke(json::object{{"customer", "c-1"}, {"plan", "free"}}, conversation("conv-a", checkpoints));
  });
  std::thread tb([&] {
    b = graph.invoke(json::object{{"customer", "c-2"}, {"plan", "team"}}, conversation("conv-b", checkpoints));
  });
  ta.join();
  tb.join();
  CHECK(a.values.at("known_plan") == "free");
  CHECK(b.values.at("known_plan") == "team");
}

TEST_CASE("the sqlite memory store keeps its items across a restart and shares the checkpoints' file") {
  test::TempDir dir;
  const std::string path = dir.file("weft.db");
  {
    auto checkpoints = std::make_shared<SqliteStore>(path);
    const CompiledGraph graph = memory_graph(std::make_shared<SqliteMemoryStore>(path));
    REQUIRE(
        graph.invoke(json::object{{"customer", "c-7"}, {"plan", "pro"}}, conversation("before", checkpoints)).status ==
        RunStatus::done);
  }
  // A new process opens the same file: a new checkpointer and a new memory store.
  auto checkpoints = std::make_shared<SqliteStore>(path);
  auto memory = std::make_shared<SqliteMemoryStore>(path);
  std::optional<StoreItem> item = await(memory->get({"customers", "c-7"}, "plan"));
  REQUIRE(item);
  CHECK(item->value.at("plan") == "pro");
  RunResult after = memory_graph(memory).invoke(json::object{{"customer", "c-7"}}, conversation("after", checkpoints));
  CHECK(after.values.at("known_plan") == "pro");
  CHECK(checkpoints->thread("before"));  // the checkpoints of the first run are still there
}

TEST_CASE("a node calling store() without a configured store fails with no_store") {
  StateGraph g({{"x", Channel::last_value()}}, "no-store");
  g.add_node("n", [](StateView, NodeContext ctx) {
    (void)ctx.store();
    return json::object{};
  });
  g.add_edge(std::string(START), "n");
  RunResult result = g.compile().invoke(json::object{{"x", 1}});
  REQUIRE(result.status == RunStatus::failed);
  REQUIRE(result.error);
  CHECK(result.error->message.find("no long-term memory store") != std::string::npos);
}
