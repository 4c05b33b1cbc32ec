// SPDX-License-Identifier: MIT
// StreamChannel: the pull-style consumer yields what the callback sink sees, in the same order,
// and a consumer that stops early cancels the run without leaving it running or leaking it.

#include "support.hpp"

#include "engine/stream_channel.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>

using namespace weft;
using namespace engine_test;

namespace {

// start -> {left, right} in parallel (each emits a custom event) -> join; then a Send fan-out of
// three "item" tasks. Values, updates, custom and debug events of several steps and tasks.
CompiledGraph busy_graph() {
  StateGraph g({{"log", Channel::append()}, {"items", Channel::last_value()}}, "busy");
  g.add_node("start", [](StateView, NodeContext) {
    return json::object{{"log", json::array{"start"}}, {"items", json::array{1, 2, 3}}};
  });
  for (const char* side : {"left", "right"}) {
    g.add_node(side, [side](StateView, NodeContext ctx) {
      ctx.emit(json::object{{"side", side}});
      return json::object{{"log", json::array{side}}};
    });
    g.add_edge("start", side);
  }
  g.add_node("join", writes(R"({"log":["join"]})"));
  g.add_edge(std::vector<std::string>{"left", "right"}, "join");
  g.add_node("item", [](StateView state, NodeContext ctx) {
    ctx.emit(json::object{{"item", state.at("item")}});
    return json::object{{"log", json::array{state.at("item")}}};
  });
  g.add_conditional_edges(
      "join",
      [](StateView state) {
        std::vector<Send> sends;
        for (const json::value& item : state.at("items").as_array())
          sends.push_back(Send{"item", json::object{{"item", item}}});
        return sends;
      },
      std::vector<std::string>{"item"});
  g.add_edge(std::string(START), "start");
  return g.compile();
}

std::string describe(const StreamEvent& e) {
  return std::string(to_string(e.mode)) + "|" + e.node + "|" + std::to_string(e.step) + "|" + json::serialize(e.data);
}

// Counts destroyed node frames: a node's coroutine frame that is never destroyed is a leak.
struct FrameGuard {
  int* destroyed;
  ~FrameGuard() { ++*destroyed; }
};

}  // namespace

TEST_CASE("a stream channel yields the same events in the same order as the callback sink") {
  const CompiledGraph graph = busy_graph();
  std::vector<std::string> by_callback;
  RunConfig config;
  config.stream = [&](const StreamEvent& e) { by_callback.push_back(describe(e)); };
  const RunResult direct = graph.invoke(json::object{}, config);
  REQUIRE(direct.status == RunStatus::done);
  REQUIRE(by_callback.size() > 10);

  boost::asio::io_context io;
  std::vector<std::string> pulled;
  std::optional<RunResult> result;
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        StreamChannel events = StreamChannel::start(io.get_executor(), graph, json::object{}, RunConfig{});
        while (true) {
          boost::asio::awaitable<std::optional<StreamEvent>> pulling = events.next();
          std::optional<StreamEvent> event = co_await std::move(pulling);
          if (!event) break;
          pulled.push_back(describe(*event));
        }
        result = events.result();
      },
      boost::asio::detached);
  io.run();
  CHECK(pulled == by_callback);
  REQUIRE(result);
  CHECK(result->status == RunStatus::done);
  CHECK(result->values == direct.values);
}

TEST_CASE("a stream channel consumer that stops early cancels the run and leaves nothing running") {
  StateGraph g({{"x", Channel::last_value()}}, "endless");
  int frames_destroyed = 0;
  g.add_node("wait", [&frames_destroyed](StateView, NodeContext ctx) -> boost::asio::awaitable<json::object> {
    FrameGuard guard{&frames_destroyed};
    ctx.emit(json::object{{"waiting", true}});
    boost::asio::awaitable<void> sleeping = ctx.clock().sleep(std::chrono::hours(24));
    co_await std::move(sleeping);
    co_return json::object{{"x", 1}};
  });
  g.add_edge(std::string(START), "wait");
  const CompiledGraph graph = g.compile();

  SUBCASE("cancel(), then the channel drains to a cancelled result") {
    boost::asio::io_context io;
    std::optional<RunResult> result;
    std::vector<std::string> seen;
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
          StreamChannel events = StreamChannel::start(io.get_executor(), graph, json::object{{"x", 0}}, RunConfig{});
          while (true) {
            boost::asio::awaitable<std::optional<StreamEvent>> pulling = events.next();
            std::optional<StreamEvent> event = co_await std::move(pulling);
            if (!event) break;
            seen.push_back(std::string(to_string(event->mode)));
            if (event->mode == StreamMode::custom) events.cancel();
          }
          result = events.result();
        },
        boost::asio::detached);
    io.run();  // returns: the day-long sleep was cancelled, nothing is left running
    CHECK(frames_destroyed == 1);
    REQUIRE(result);
    CHECK(result->status == RunStatus::failed);
    REQUIRE(result->error);
    CHECK(result->error->code == engine::error::cancelled);
    CHECK(std::find(seen.begin(), seen.end(), "custom") != seen.end());
  }

  SUBCASE("destroying the channel mid-run cancels it") {
    boost::asio::io_context io;
    bool saw_custom = false;
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
          StreamChannel events = StreamChannel::start(io.get_executor(), graph, json::object{{"x", 0}}, RunConfig{});
          while (!saw_custom) {
            boost::asio::awaitable<std::optional<StreamEvent>> pulling = events.next();
            std::optional<StreamEvent> event = co_await std::move(pulling);
            if (!event) break;
            saw_custom = event->mode == StreamMode::custom;
          }
        },  // `events` is destroyed here, with the node still sleeping
        boost::asio::detached);
    io.run();
    CHECK(saw_custom);
    CHECK(frames_destroyed == 1);
  }
}
