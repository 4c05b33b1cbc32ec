// SPDX-License-Identifier: MIT
// Running graphs: node kinds, edges, routers, Send, Command, joins, recursion limit, ordering.

#include "support.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <map>
#include <random>
#include <set>

using namespace weft;
using namespace engine_test;

namespace {

json::object plain_function_node(StateView state, NodeContext) { return json::object{{"n", state.get_int("n") + 1}}; }

boost::asio::awaitable<json::object> coroutine_node(StateView state, NodeContext) {
  auto executor = co_await boost::asio::this_coro::executor;
  boost::asio::steady_timer timer(executor, std::chrono::milliseconds(1));
  co_await timer.async_wait(boost::asio::use_awaitable);
  co_return json::object{{"n", state.get_int("n") * 10}};
}

}  // namespace

TEST_CASE("plain functions, lambdas, coroutines and void nodes all go through add_node") {
  static_assert(NodeLike<decltype(&plain_function_node)>);
  static_assert(AsyncNodeLike<decltype(&coroutine_node)>);
  int side_effects = 0;
  StateGraph g({{"n", Channel::last_value()}}, "kinds");
  g.add_node("function", &plain_function_node);
  g.add_node("coroutine", &coroutine_node);
  g.add_node("lambda", [](StateView s, NodeContext) { return json::object{{"n", s.get_int("n") - 3}}; });
  g.add_node("void", [&side_effects](StateView, NodeContext) { ++side_effects; });
  g.add_edge(std::string(START), "function");
  g.add_edge("function", "coroutine");
  g.add_edge("coroutine", "lambda");
  g.add_edge("lambda", "void");
  RunResult result = g.compile().invoke(object(R"({"n":1})"));
  CHECK(result.status == RunStatus::done);
  CHECK(result.values.at("n") == 17);  // (1+1)*10-3
  CHECK(side_effects == 1);
  CHECK(result.steps == 4);
}

TEST_CASE("a conditional self loop runs until its router returns END") {
  StateGraph g({{"n", Channel::counter()}}, "loop");
  g.add_node("inc", writes(R"({"n":1})"));
  g.add_edge(std::string(START), "inc");
  g.add_conditional_edges("inc", [](StateView s) -> Route { return s.get_int("n") < 5 ? Route("inc") : Route(END); });
  RunResult result = g.compile().invoke(json::object());
  CHECK(result.values.at("n") == 5);
  CHECK(result.steps == 5);
}

TEST_CASE("nodes of one step read the same snapshot, not a copy each") {
  std::set<const json::object*> seen;
  StateGraph g({{"x", Channel::append()}}, "shared");
  for (std::string name : {"a", "b", "c"}) {
    g.add_node(name, [&seen](StateView s, NodeContext) {
      seen.insert(&s.snapshot());
      return json::object{{"x", 1}};
    });
    g.add_edge(std::string(START), name);
  }
  g.compile().invoke(object(R"({"x":[0]})"));
  CHECK(seen.size() == 1);
}

TEST_CASE("a router sees its own node's writes but not a parallel sibling's") {
  json::value router_saw_x, router_saw_y;
  StateGraph g({{"x", Channel::last_value()}, {"y", Channel::last_value()}}, "local");
  g.add_node("a", writes(R"({"x":"from a"})"));
  g.add_node("b", writes(R"({"y":"from b"})"));
  g.add_node("after", writes("{}"));
  g.add_edge(std::string(START), "a");
  g.add_edge(std::string(START), "b");
  g.add_conditional_edges(
      "a",
      [&](StateView s) -> Route {
        router_saw_x = s.get("x");
        router_saw_y = s.get("y");
        return "after";
      },
      std::vector<std::string>{"after"});
  g.compile().invoke(object(R"({"x":"old","y":"old"})"));
  CHECK(router_saw_x == "from a");
  CHECK(router_saw_y == "old");
}

TEST_CASE("a router's view folds its node's writes through every channel kind, and outlives the router") {
  StateGraph g({{"last", Channel::last_value()},
                {"list", Channel::append()},
                {"chat", Channel::messages()},
                {"count", Channel::counter()},
                {"merged", Channel::object_merge()},
                {"longest", Channel::custom([](json::value current, json::value update) {
                   const auto size = [](const json::value& v) { return v.is_string() ? v.get_string().size() : 0; };
                   return size(update) > size(current) ? update : current;
                 })}},
               "kinds");
  g.add_node("write",
             writes(R"({"last":2,"list":["c"],"chat":[{"id":"m1","content":"edited"},{"id":"m3","content":"new"}],
                                 "count":5,"merged":{"b":2},"longest":"longer"})"));
  g.add_node("after", writes("{}"));
  g.add_edge(std::string(START), "write");
  std::optional<StateView> kept;
  json::object whole;
  g.add_conditional_edges(
      "write",
      [&](StateView s) -> Route {
        kept = s;  // a copy of the view, read after the router returned
        whole = s.to_object();
        return "after";
      },
      std::vector<std::string>{"after"});
  g.add_edge("after", std::string(END));
  const RunResult result = g.compile().invoke(object(R"({"last":1,"list":["a","b"],
      "chat":[{"id":"m1","content":"first"},{"id":"m2","content":"second"}],
      "count":1,"merged":{"a":1},"longest":"short"})"));
  result.check();
  REQUIRE(kept.has_value());
  CHECK(kept->at("last") == 2);
  CHECK(kept->at("list") == json::parse(R"(["a","b","c"])"));
  CHECK(kept->at("chat") == json::parse(R"([{"id":"m1","content":"edited"},{"id":"m2","content":"second"},
                                            {"id":"m3","content":"new"}])"));
  CHECK(kept->at("count") == 6);
  CHECK(kept->at("merged") == json::parse(R"({"a":1,"b":2})"));
  CHECK(kept->at("longest") == "longer");
  CHECK(kept->find("list") == kept->find("list"));  // folded once, the same value on every read
  for (const char* key : {"last", "list", "chat", "count", "merged", "longest"}) {
    CHECK(whole.at(key) == kept->at(key));
    CHECK(result.values.at(key) == kept->at(key));  // the barrier agrees with the router's view
  }
}

TEST_CASE("a reducer that throws while folding a router's view fails the node, naming it") {
  StateGraph g({{"x", Channel::custom([](json::value, json::value) -> json::value {
                   throw std::runtime_error("reducer refuses");
                 })}},
               "throwing");
  g.add_node("write", writes(R"({"x":1})"));
  g.add_edge(std::string(START), "write");
  bool routed = false;
  g.add_conditional_edges(
      "write",
      [&](StateView) -> Route {
        routed = true;
        return std::string(END);
      },
      std::vector<std::string>{std::string(END)});
  const RunResult result = g.compile().invoke(json::object{});
  CHECK_FALSE(routed);
  CHECK(result.status == RunStatus::failed);
  REQUIRE(result.error.has_value());
  CHECK(result.error->node == "write");
  CHECK(result.error->message.find("reducer refuses") != std::string::npos);
}

TEST_CASE("Send fans out one task per item with its own input, and a join node sees every result") {
  StateGraph g({{"items", Channel::last_value()}, {"results", Channel::append()}, {"total", Channel::last_value()}},
               "fanout");
  g.add_node("plan", writes("{}"));
  g.add_node("work", [](StateView input, NodeContext) {
    CHECK_FALSE(input.contains("items"));  // a Send task sees its argument, not the state
    return json::object{{"results", json::array{input.get_int("item") * input.get_int("item")}}};
  });
  g.add_node("sum", [](StateView s, NodeContext) {
    std::int64_t total = 0;
    for (const auto& v : s.at("results").as_array()) total += v.as_int64();
    return json::object{{"total", total}};
  });
  g.add_edge(std::string(START), "plan");
  g.add_conditional_edges(
      "plan",
      [](StateView s) -> Route {
        std::vector<Send> sends;
        for (const auto& item : s.at("items").as_array()) sends.push_back(Send{"work", json::object{{"item", item}}});
        return sends;
      },
      std::vector<std::string>{"work"});
  g.add_edge("work", "sum");
  RunResult result = g.compile().invoke(object(R"({"items":[1,2,3,4]})"));
  REQUIRE(result.status == RunStatus::done);
  CHECK(json::serialize(result.values.at("results")) == "[1,4,9,16]");  // send order, not completion order
  CHECK(result.values.at("total") == 30);
  CHECK(result.steps == 3);  // plan, 4 x work, sum once
}

TEST_CASE("Command goto jumps to a node and applies its update while static edges still fire") {
  std::vector<std::string> ran;
  StateGraph g({{"x", Channel::last_value()}}, "command");
  NodeOptions options;
  options.destinations = {"jump"};
  g.add_node(
      "decide",
      [](StateView, NodeContext) {
        Command c;
        c.update = json::object{{"x", "decided"}};
        c.goto_nodes = {"jump"};
        return c;
      },
      options);
  g.add_node("jump", [&](StateView s, NodeContext) { ran.push_back("jump:" + std::string(s.get_string("x"))); });
  g.add_node("next", [&](StateView, NodeContext) { ran.push_back("next"); });
  g.add_edge(std::string(START), "decide");
  g.add_edge("decide", "next");
  RunResult result = g.compile().invoke(json::object());
  CHECK(result.status == RunStatus::done);
  std::sort(ran.begin(), ran.end());
  CHECK(ran == std::vector<std::string>{"jump:decided", "next"});
}

TEST_CASE("Command goto to an unknown node fails the node with a clear error") {
  StateGraph g({}, "command");
  g.add_node("decide", [](StateView, NodeContext) {
    Command c;
    c.goto_nodes = {"nowhere"};
    return c;
  });
  g.add_edge(std::string(START), "decide");
  RunResult result = g.compile().invoke(json::object());
  REQUIRE(result.status == RunStatus::failed);
  CHECK(contains(result.error->message, "node 'decide' routed to unknown node 'nowhere'"));
}

TEST_CASE("a wait-for-all edge runs its target once, after every source finished") {
  std::vector<std::string> order;
  StateGraph g({}, "join");
  auto record = [&order](std::string name) {
    return [&order, name](StateView, NodeContext) { order.push_back(name); };
  };
  g.add_node("fast", record("fast"));
  g.add_node("slow1", record("slow1"));
  g.add_node("slow2", record("slow2"));
  g.add_node("join", record("join"));
  g.add_edge(std::string(START), "fast");
  g.add_edge(std::string(START), "slow1");
  g.add_edge("slow1", "slow2");
  g.add_edge(std::vector<std::string>{"fast", "slow2"}, "join");
  RunResult result = g.compile().invoke(json::object());
  CHECK(result.status == RunStatus::done);
  CHECK(order == std::vector<std::string>{"fast", "slow1", "slow2", "join"});
}

TEST_CASE("the recursion limit is checked before a step beyond it runs") {
  int b_runs = 0;
  StateGraph g({}, "two_steps");
  g.add_node("a", [](StateView, NodeContext) {});
  g.add_node("b", [&b_runs](StateView, NodeContext) { ++b_runs; });
  g.add_edge(std::string(START), "a");
  g.add_edge("a", "b");
  auto graph = g.compile();
  RunConfig config;
  config.recursion_limit = 1;
  RunResult result = graph.invoke(json::object(), config);
  REQUIRE(result.status == RunStatus::failed);
  CHECK(result.error->code == engine::error::recursion_limit);
  CHECK(contains(result.error->message,
                 "recursion limit of 1 reached without hitting a stop condition; step 1 would run 'b'"));
  CHECK(b_runs == 0);
  CHECK(result.steps == 1);
  config.recursion_limit = 2;
  CHECK(graph.invoke(json::object(), config).status == RunStatus::done);
  CHECK(b_runs == 1);
}

TEST_CASE("writes apply in task order whatever order the tasks finish in") {
  // Eight coroutine nodes finish after random delays; the append channel must always list them
  // in task order (node names sorted), never in completion order.
  std::mt19937 random(12345);
  std::map<std::string, int> delay_ms;
  StateGraph g({{"log", Channel::append()}}, "shuffle");
  std::vector<std::string> names = {"h", "c", "a", "f", "b", "g", "e", "d"};
  for (const std::string& name : names) {
    g.add_node(name, [name, &delay_ms](StateView, NodeContext) -> boost::asio::awaitable<json::object> {
      auto executor = co_await boost::asio::this_coro::executor;
      boost::asio::steady_timer timer(executor, std::chrono::milliseconds(delay_ms[name]));
      co_await timer.async_wait(boost::asio::use_awaitable);
      co_return json::object{{"log", name}};
    });
    g.add_edge(std::string(START), name);
  }
  auto graph = g.compile();
  std::vector<std::string> completion_orders;
  for (int round = 0; round < 4; ++round) {
    for (const std::string& name : names) delay_ms[name] = static_cast<int>(random() % 20);
    std::vector<std::string> finished;
    RunConfig config;
    config.stream_modes = static_cast<unsigned>(StreamMode::updates);
    config.stream = [&finished](const StreamEvent& e) { finished.push_back(e.node); };
    RunResult result = graph.invoke(json::object(), config);
    CHECK(json::serialize(result.values.at("log")) == R"(["a","b","c","d","e","f","g","h"])");
    std::string joined;
    for (auto& f : finished) joined += f;
    completion_orders.push_back(joined);
  }
  // The delays really shuffled completion (otherwise this test would prove nothing).
  std::set<std::string> distinct(completion_orders.begin(), completion_orders.end());
  CHECK(distinct.size() > 1);
}

TEST_CASE("task ids are deterministic for the same thread, checkpoint, step and node") {
  std::vector<std::string> ids;
  StateGraph g({}, "ids");
  g.add_node("a", [&ids](StateView, NodeContext ctx) { ids.push_back(ctx.task_id()); });
  g.add_edge(std::string(START), "a");
  auto graph = g.compile();
  RunConfig config;
  config.thread_id = "same";
  graph.invoke(json::object(), config);
  graph.invoke(json::object(), config);
  config.thread_id = "other";
  graph.invoke(json::object(), config);
  REQUIRE(ids.size() == 3);
  CHECK(ids[0] == ids[1]);
  CHECK(ids[0] != ids[2]);
  CHECK(ids[0].size() == 32);
}

TEST_CASE("run input must be an object or null") {
  StateGraph g({}, "g");
  g.add_node("a", writes("{}"));
  g.add_edge(std::string(START), "a");
  Error e = error_from([&] { g.compile().invoke(json::value(3)); });
  CHECK(e.code() == engine::error::invalid_input);
}

TEST_CASE("a compiled graph is shared by concurrent runs on one executor") {
  StateGraph g({{"n", Channel::counter()}}, "shared");
  g.add_node("inc", [](StateView, NodeContext) -> boost::asio::awaitable<json::object> {
    auto executor = co_await boost::asio::this_coro::executor;
    boost::asio::steady_timer timer(executor, std::chrono::milliseconds(1));
    co_await timer.async_wait(boost::asio::use_awaitable);
    co_return json::object{{"n", 1}};
  });
  g.add_edge(std::string(START), "inc");
  g.add_conditional_edges("inc", [](StateView s) -> Route { return s.get_int("n") < 3 ? Route("inc") : Route(END); });
  auto graph = g.compile();
  boost::asio::io_context io;
  int done = 0;
  for (int i = 0; i < 5; ++i) {
    boost::asio::co_spawn(io, graph.run(json::object(), RunConfig{}), [&](std::exception_ptr e, RunResult r) {
      CHECK_FALSE(e);
      CHECK(r.values.at("n") == 3);
      ++done;
    });
  }
  io.run();
  CHECK(done == 5);
}

TEST_CASE("a router may return several names, and a Command may carry Sends") {
  std::vector<std::string> ran;
  StateGraph g({{"got", Channel::append()}}, "multi");
  NodeOptions sends_to_worker;
  sends_to_worker.destinations = {"worker"};
  g.add_node("start", [](StateView, NodeContext) {});
  g.add_node("left", [&ran](StateView, NodeContext) { ran.push_back("left"); });
  g.add_node(
      "right",
      [&ran](StateView, NodeContext) {
        ran.push_back("right");
        Command c;
        c.sends = {Send{"worker", json::object{{"job", 1}}}, Send{"worker", json::object{{"job", 2}}}};
        return c;
      },
      sends_to_worker);
  g.add_node("worker", [](StateView in, NodeContext) { return json::object{{"got", in.get_int("job")}}; });
  g.add_edge(std::string(START), "start");
  g.add_conditional_edges(
      "start",
      [](StateView) -> Route {
        return std::vector<std::string>{"left", "right"};
      },
      std::vector<std::string>{"left", "right"});
  RunResult result = g.compile().invoke(json::object());
  REQUIRE(result.status == RunStatus::done);
  CHECK(ran == std::vector<std::string>{"left", "right"});
  CHECK(json::serialize(result.values.at("got")) == "[1,2]");
}

TEST_CASE("a view a node keeps past its step still shows that step's state (copy on write)") {
  std::optional<StateView> kept;
  StateGraph g({{"n", Channel::counter()}}, "keep_view");
  g.add_node("inc", [&kept](StateView s, NodeContext) {
    if (!kept) kept = s;
    return json::object{{"n", 1}};
  });
  g.add_edge(std::string(START), "inc");
  g.add_conditional_edges("inc", [](StateView s) -> Route { return s.get_int("n") < 3 ? Route("inc") : Route(END); });
  RunResult result = g.compile().invoke(object(R"({"n":10})"));
  CHECK(result.values.at("n") == 11);  // 10 + 1: the router stops at once
  REQUIRE(kept);
  CHECK(kept->get_int("n") == 10);
}
