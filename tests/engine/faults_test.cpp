// SPDX-License-Identifier: MIT
// Failures: retries, timeouts, cancellation, and resuming a step after a node threw.

#include "support.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace weft;
using namespace engine_test;

namespace {

boost::asio::awaitable<void> wait_ms(int ms) {
  auto executor = co_await boost::asio::this_coro::executor;
  boost::asio::steady_timer timer(executor, std::chrono::milliseconds(ms));
  co_await timer.async_wait(boost::asio::use_awaitable);
}

/// Waits (real time, bounded) until `count` sleeps are waiting on `clock`, the code under test
/// having reached them; returns whether they were. A working engine gets there in microseconds;
/// the bound only keeps a broken one from wedging the suite. Called from a driver thread, so it
/// does not assert: the test checks the result after joining.
bool wait_for_sleeps(const ManualClock& clock, std::size_t count) {
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (clock.waiting() < count && std::chrono::steady_clock::now() < give_up) std::this_thread::yield();
  return clock.waiting() >= count;
}

}  // namespace

TEST_CASE("RetryPolicy has LangGraph's defaults") {
  RetryPolicy policy;
  CHECK(policy.initial_interval == std::chrono::milliseconds(500));
  CHECK(policy.backoff_factor == 2.0);
  CHECK(policy.max_interval == std::chrono::milliseconds(128'000));
  CHECK(policy.max_attempts == 3);
  CHECK(policy.jitter);
  CHECK(policy.backoff(1) == std::chrono::milliseconds(500));
  CHECK(policy.backoff(2) == std::chrono::milliseconds(1000));
  CHECK(policy.backoff(20) == std::chrono::milliseconds(128'000));
  CHECK(default_retry_on(std::runtime_error("network")));
  CHECK_FALSE(default_retry_on(std::invalid_argument("bug")));
  CHECK_FALSE(default_retry_on(Error(engine::error::invalid_update, "bug")));
  CHECK(default_retry_on(Error(engine::error::node_timeout, "slow")));
}

TEST_CASE("a failing node is retried with exponential back-off on the injected clock") {
  auto clock = std::make_shared<ManualClock>();
  int calls = 0;
  StateGraph g({{"x", Channel::last_value()}}, "retry");
  NodeOptions options;
  options.retry = RetryPolicy{};
  options.retry->jitter = false;
  g.add_node(
      "flaky",
      [&calls](StateView, NodeContext ctx) {
        ++calls;
        if (ctx.attempt() < 3) throw std::runtime_error("temporary outage");
        return json::object{{"x", ctx.attempt()}};
      },
      options);
  g.add_edge(std::string(START), "flaky");
  RunConfig config;
  config.clock = clock;
  RunResult result = g.compile().invoke(json::object(), config);
  REQUIRE(result.status == RunStatus::done);
  CHECK(calls == 3);
  CHECK(result.values.at("x") == 3);
  CHECK(clock->sleeps() ==
        std::vector<std::chrono::nanoseconds>{std::chrono::milliseconds(500), std::chrono::milliseconds(1000)});
}

TEST_CASE("retries stop at max_attempts and the error names the node, step and thread") {
  auto clock = std::make_shared<ManualClock>();
  int calls = 0;
  StateGraph g({}, "retry");
  NodeOptions options;
  options.retry = RetryPolicy{};
  g.add_node(
      "broken",
      [&calls](StateView, NodeContext) -> boost::asio::awaitable<void> {
        ++calls;
        throw std::runtime_error("still down");
        co_return;
      },
      options);
  g.add_edge(std::string(START), "broken");
  RunConfig config;
  config.clock = clock;
  config.thread_id = "th";
  RunResult result = g.compile().invoke(json::object(), config);
  REQUIRE(result.status == RunStatus::failed);
  CHECK(calls == 3);
  CHECK(clock->sleeps().size() == 2);
  for (auto d : clock->sleeps()) CHECK(d >= std::chrono::milliseconds(500));  // with jitter
  CHECK(result.error->code == engine::error::node_failed);
  CHECK(result.error->node == "broken");
  CHECK(result.error->step == 0);
  CHECK(result.error->message == "node 'broken' (step 0, thread 'th') failed: still down");
  CHECK_THROWS_AS(std::rethrow_exception(result.error->exception), std::runtime_error);
}

TEST_CASE("retry_on decides which errors are retried") {
  auto clock = std::make_shared<ManualClock>();
  int calls = 0;
  StateGraph g({}, "retry");
  NodeOptions options;
  options.retry = RetryPolicy{};
  options.retry->retry_on = [](const std::exception& e) { return std::string(e.what()) == "retry me"; };
  g.add_node(
      "n",
      [&calls](StateView, NodeContext) {
        ++calls;
        throw std::runtime_error("do not retry me");
      },
      options);
  g.add_edge(std::string(START), "n");
  RunConfig config;
  config.clock = clock;
  CHECK(g.compile().invoke(json::object(), config).status == RunStatus::failed);
  CHECK(calls == 1);
}

TEST_CASE("an async node exceeding its timeout is cancelled and fails with node_timeout, on virtual time") {
  auto clock = std::make_shared<ManualClock>(ManualClock::Sleeps::wait_for_advance);
  bool finished = false;
  StateGraph g({}, "timeout");
  NodeOptions options;
  options.timeout = std::chrono::milliseconds(20);
  g.add_node(
      "slow",
      [&finished, clock](StateView, NodeContext) -> boost::asio::awaitable<void> {
        co_await clock->sleep(std::chrono::milliseconds(10'000));
        finished = true;
      },
      options);
  g.add_edge(std::string(START), "slow");
  RunConfig config;
  config.clock = clock;
  std::size_t waiting_before_deadline = 0;
  bool both_sleeping = false;
  std::thread driver([&] {
    both_sleeping = wait_for_sleeps(*clock, 2);  // the node's and its deadline's
    clock->advance(std::chrono::milliseconds(19));
    waiting_before_deadline = clock->waiting();
    clock->advance(std::chrono::milliseconds(1));
  });
  RunResult result = g.compile().invoke(json::object(), config);
  driver.join();
  CHECK(both_sleeping);
  CHECK(waiting_before_deadline == 2);
  REQUIRE(result.status == RunStatus::failed);
  CHECK(result.error->code == engine::error::node_timeout);
  CHECK(contains(result.error->message, "node 'slow' timed out after 20 ms"));
  CHECK_FALSE(finished);
  CHECK(clock->waiting() == 0);  // the node's own sleep was cancelled
  CHECK(clock->now() == ManualClock::default_start + std::chrono::milliseconds(20));
}

TEST_CASE("a node within its timeout returns normally, and its deadline is cancelled") {
  auto clock = std::make_shared<ManualClock>(ManualClock::Sleeps::wait_for_advance);
  StateGraph g({{"x", Channel::last_value()}}, "timeout");
  NodeOptions options;
  options.timeout = std::chrono::milliseconds(5'000);
  g.add_node(
      "quick",
      [clock](StateView, NodeContext) -> boost::asio::awaitable<json::object> {
        co_await clock->sleep(std::chrono::milliseconds(1));
        co_return json::object{{"x", 1}};
      },
      options);
  g.add_edge(std::string(START), "quick");
  RunConfig config;
  config.clock = clock;
  bool both_sleeping = false;
  std::thread driver([&] {
    both_sleeping = wait_for_sleeps(*clock, 2);  // the node's and its deadline's
    clock->advance(std::chrono::milliseconds(1));
  });
  RunResult result = g.compile().invoke(json::object(), config);
  driver.join();
  CHECK(both_sleeping);
  REQUIRE(result.status == RunStatus::done);
  CHECK(result.values.at("x") == 1);
  CHECK(clock->waiting() == 0);
  auto sleeps = clock->sleeps();
  std::sort(sleeps.begin(), sleeps.end());
  CHECK(sleeps ==
        std::vector<std::chrono::nanoseconds>{std::chrono::milliseconds(1), std::chrono::milliseconds(5'000)});
}

TEST_CASE("requesting stop cancels in-flight nodes and fails the run as cancelled") {
  std::stop_source stop;
  bool finished = false;
  StateGraph g({}, "cancel");
  g.add_node("slow", [&finished](StateView, NodeContext) -> boost::asio::awaitable<void> {
    co_await wait_ms(10'000);
    finished = true;
  });
  g.add_node("trigger", [&stop](StateView, NodeContext) -> boost::asio::awaitable<void> {
    co_await wait_ms(5);
    stop.request_stop();
  });
  g.add_edge(std::string(START), "slow");
  g.add_edge(std::string(START), "trigger");
  RunConfig config;
  config.stop = stop.get_token();
  RunResult result = g.compile().invoke(json::object(), config);
  REQUIRE(result.status == RunStatus::failed);
  CHECK(result.error->code == engine::error::cancelled);
  CHECK_FALSE(finished);
}

TEST_CASE("asio cancellation of the awaiting coroutine cancels the run") {
  int steps = 0;
  StateGraph g({}, "cancel");
  g.add_node("loop", [&steps](StateView, NodeContext) -> boost::asio::awaitable<void> {
    ++steps;
    co_await wait_ms(2);
  });
  g.add_edge(std::string(START), "loop");
  g.add_conditional_edges("loop", [](StateView) -> Route { return "loop"; });
  auto graph = g.compile();

  boost::asio::io_context io;
  boost::asio::cancellation_signal signal;
  std::optional<RunResult> result;
  boost::asio::co_spawn(io, graph.run(json::object(), RunConfig{}),
                        boost::asio::bind_cancellation_slot(signal.slot(), [&](std::exception_ptr e, RunResult r) {
                          CHECK_FALSE(e);
                          result = std::move(r);
                        }));
  boost::asio::steady_timer timer(io, std::chrono::milliseconds(30));
  timer.async_wait([&](boost::system::error_code) { signal.emit(boost::asio::cancellation_type::terminal); });
  io.run();
  REQUIRE(result);
  CHECK(result->status == RunStatus::failed);
  CHECK(result->error->code == engine::error::cancelled);
  CHECK(steps > 0);
}

TEST_CASE("a step resumed after a node threw re-runs only the failed task, not its finished siblings") {
  auto store = std::make_shared<MemoryCheckpointer>();
  std::map<std::string, int> calls;
  bool fail = true;
  StateGraph g({{"log", Channel::append()}}, "resume_after_error");
  for (std::string name : {"a", "b", "c"}) {
    g.add_node(name, [name, &calls, &fail](StateView, NodeContext) -> boost::asio::awaitable<json::object> {
      ++calls[name];
      co_await wait_ms(name == "b" ? 10 : 1);
      if (name == "b" && fail) throw std::runtime_error("b broke");
      co_return json::object{{"log", name}};
    });
    g.add_edge(std::string(START), name);
  }
  g.add_node("after", [&calls](StateView, NodeContext) {
    ++calls["after"];
    return json::object{{"log", "after"}};
  });
  g.add_edge(std::vector<std::string>{"a", "b", "c"}, "after");
  auto graph = g.compile();
  RunConfig config = thread_config(store);

  RunResult failed = graph.invoke(json::object(), config);
  REQUIRE(failed.status == RunStatus::failed);
  CHECK(failed.error->node == "b");
  CHECK(store->thread("t1")->status == ThreadStatus::failed);
  auto state = graph.get_state(config);
  REQUIRE(state);
  CHECK(state->next == std::vector<std::string>{"a", "b", "c"});  // the failed step is still next

  fail = false;
  RunResult resumed = graph.invoke(json::value(nullptr), config);
  REQUIRE(resumed.status == RunStatus::done);
  CHECK(calls["a"] == 1);
  CHECK(calls["b"] == 2);
  CHECK(calls["c"] == 1);
  CHECK(calls["after"] == 1);
  CHECK(json::serialize(resumed.values.at("log")) == R"(["a","b","c","after"])");
  CHECK(store->thread("t1")->status == ThreadStatus::done);
}
