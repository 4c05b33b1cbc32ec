// SPDX-License-Identifier: MIT
// The effect journal: side effects run at most once per (thread, task, key).

#include "support.hpp"

#include <boost/asio/use_awaitable.hpp>

using namespace weft;
using namespace engine_test;

namespace {

/// A node that performs one journaled effect, then asks a human; counts real executions.
CompiledGraph sending_graph(int& sent) {
  StateGraph g({{"receipt", Channel::last_value()}, {"approved", Channel::last_value()}}, "effects");
  g.add_node("send", [&sent](StateView, NodeContext ctx) -> boost::asio::awaitable<json::object> {
    json::value receipt = co_await ctx.effect("post-message", [&sent] {
      ++sent;
      return json::value("receipt-" + std::to_string(sent));
    });
    json::value approved = ctx.interrupt("approve?");
    co_return json::object{{"receipt", receipt}, {"approved", approved}};
  });
  g.add_edge(std::string(START), "send");
  return g.compile();
}

}  // namespace

TEST_CASE("a done effect is not run again when its node re-executes on resume") {
  auto store = std::make_shared<MemoryCheckpointer>();
  int sent = 0;
  auto graph = sending_graph(sent);
  RunConfig config = thread_config(store);
  RunResult paused = graph.invoke(json::object(), config);
  REQUIRE(paused.status == RunStatus::interrupted);
  CHECK(sent == 1);
  Command resume;
  resume.resume = json::value(true);
  RunResult done = graph.invoke_resume(resume, config);
  REQUIRE(done.status == RunStatus::done);
  CHECK(sent == 1);
  CHECK(done.values.at("receipt") == "receipt-1");  // the recorded result
}

TEST_CASE("an effect begun but never finished is in doubt and not blindly re-run") {
  auto store = std::make_shared<MemoryCheckpointer>();
  int sent = 0;
  auto graph = sending_graph(sent);
  RunConfig config = thread_config(store);
  graph.invoke(json::object(), config);
  // Simulate a crash between begin() and finish(): mark the journal entry started again.
  auto state = graph.get_state(config);
  REQUIRE(state->interrupts.size() == 1);
  const std::string key = state->interrupts[0].task_id + ":post-message";
  CHECK(store->find("t1", key).state == EffectState::done);
  store->begin("t1", key);
  Command resume;
  resume.resume = json::value(true);
  RunResult failed = graph.invoke_resume(resume, config);
  REQUIRE(failed.status == RunStatus::failed);
  CHECK(failed.error->node == "send");
  CHECK(contains(failed.error->message, "effect 'post-message' of node 'send'"));
  CHECK(contains(failed.error->message, "began but never finished"));
  try {
    std::rethrow_exception(failed.error->exception);
  } catch (const Error& e) {
    CHECK(e.code() == engine::error::effect_in_doubt);
  }
  CHECK(sent == 1);
}

TEST_CASE("a reconcile function settles an in-doubt effect") {
  auto store = std::make_shared<MemoryCheckpointer>();
  int runs = 0;
  bool happened = false;
  StateGraph g({{"r", Channel::last_value()}}, "reconcile");
  g.add_node("n", [&](StateView, NodeContext ctx) -> boost::asio::awaitable<json::object> {
    ReconcileFn check = [&happened]() -> boost::asio::awaitable<std::optional<json::value>> {
      if (happened) co_return json::value("found outside");
      co_return std::nullopt;
    };
    json::value r = co_await ctx.effect(
        "op", [&runs] { return json::value(++runs); }, check);
    co_return json::object{{"r", r}};
  });
  g.add_edge(std::string(START), "n");
  auto graph = g.compile();
  RunConfig config = thread_config(store);
  // Learn the task id, then pre-mark the effect as begun (a crash before this run finished it).
  std::string task_id;
  {
    StateGraph probe({}, "probe");
    probe.add_node("n", [&task_id](StateView, NodeContext ctx) { task_id = ctx.task_id(); });
    probe.add_edge(std::string(START), "n");
    probe.compile().invoke(json::object(), thread_config(std::make_shared<MemoryCheckpointer>()));
  }
  store->begin("t1", task_id + ":op");
  happened = true;
  RunResult result = graph.invoke(json::object(), config);
  REQUIRE(result.status == RunStatus::done);
  CHECK(result.values.at("r") == "found outside");
  CHECK(runs == 0);

  store->delete_thread("t1");
  store->begin("t1", task_id + ":op");
  happened = false;
  result = graph.invoke(json::object(), config);
  CHECK(result.values.at("r") == 1);  // reconcile said it did not happen: run it
  CHECK(runs == 1);
}

TEST_CASE("an effect that throws is abandoned so a retry may run it again") {
  auto store = std::make_shared<MemoryCheckpointer>();
  auto clock = std::make_shared<ManualClock>();
  int attempts = 0;
  StateGraph g({{"r", Channel::last_value()}}, "abandon");
  NodeOptions options;
  options.retry = RetryPolicy{};
  g.add_node(
      "n",
      [&](StateView, NodeContext ctx) -> boost::asio::awaitable<json::object> {
        json::value r = co_await ctx.effect("op", [&attempts]() -> json::value {
          if (++attempts == 1) throw std::runtime_error("503");
          return json::value("ok");
        });
        co_return json::object{{"r", r}};
      },
      options);
  g.add_edge(std::string(START), "n");
  RunConfig config = thread_config(store);
  config.clock = clock;
  RunResult result = g.compile().invoke(json::object(), config);
  REQUIRE(result.status == RunStatus::done);
  CHECK(attempts == 2);
  CHECK(result.values.at("r") == "ok");
}

TEST_CASE("a durable timer journals its deadline so a resumed node waits only for what is left") {
  auto store = std::make_shared<MemoryCheckpointer>();
  auto clock = std::make_shared<ManualClock>();
  StateGraph g({{"woke", Channel::last_value()}}, "timer");
  g.add_node("wait", [](StateView, NodeContext ctx) -> boost::asio::awaitable<json::object> {
    co_await ctx.sleep_durably("cooldown", std::chrono::minutes(10));
    json::value go = ctx.interrupt("continue?");
    co_return json::object{{"woke", go}};
  });
  g.add_edge(std::string(START), "wait");
  auto graph = g.compile();
  RunConfig config = thread_config(store);
  config.clock = clock;
  RunResult paused = graph.invoke(json::object(), config);
  REQUIRE(paused.status == RunStatus::interrupted);
  REQUIRE(clock->sleeps().size() == 1);
  CHECK(clock->sleeps()[0] == std::chrono::minutes(10));
  Command resume;
  resume.resume = json::value("yes");
  RunResult done = graph.invoke_resume(resume, config);
  CHECK(done.values.at("woke") == "yes");
  CHECK(clock->sleeps().size() == 1);  // the deadline had passed: no second wait
}

TEST_CASE("an effect body may be a coroutine") {
  auto store = std::make_shared<MemoryCheckpointer>();
  int calls = 0;
  StateGraph g({{"r", Channel::last_value()}}, "async_effect");
  g.add_node("n", [&calls](StateView, NodeContext ctx) -> boost::asio::awaitable<json::object> {
    json::value r = co_await ctx.effect("op", [&calls]() -> boost::asio::awaitable<json::value> {
      ++calls;
      co_return json::value("async result");
    });
    json::value again = co_await ctx.effect(
        "op", []() -> boost::asio::awaitable<json::value> { co_return json::value("must not run"); });
    co_return json::object{{"r", json::array{r, again}}};
  });
  g.add_edge(std::string(START), "n");
  RunResult result = g.compile().invoke(json::object(), thread_config(store));
  CHECK(json::serialize(result.values.at("r")) == R"(["async result","async result"])");
  CHECK(calls == 1);
}
