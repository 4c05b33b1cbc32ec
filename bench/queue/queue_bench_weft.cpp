// SPDX-License-Identifier: MIT
// weft_queue_bench: the whole `weft` command line (submit, worker, runs, ...) plus the two graphs
// the run-queue benchmark queues (bench/queue/run.sh):
//   ten_steps  - one node looping on itself 10 times: 10 checkpointed steps, no I/O
//   model_wait - three steps whose middle node awaits a 100 ms timer (a simulated model call)

#include <weft/cli/main.hpp>
#include <weft/engine/state_graph.hpp>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include <chrono>

namespace {

boost::json::object no_input_schema() {
  return boost::json::parse(R"({"type": "object", "properties": {}, "additionalProperties": false})").as_object();
}

weft::graphs::GraphDefinition ten_steps() {
  weft::graphs::GraphDefinition d;
  d.name = "ten_steps";
  d.description = "one node looping on itself 10 times (10 checkpointed steps)";
  d.input_schema = no_input_schema();
  d.build = [](const weft::graphs::GraphServices&, weft::CompileOptions options) {
    weft::StateGraph g({{"input", weft::Channel::last_value()}, {"count", weft::Channel::last_value()}}, "ten_steps");
    g.add_node("step", [](weft::StateView s, weft::NodeContext) {
      const auto* count = s.find("count");
      const std::int64_t n = count && count->is_int64() ? count->as_int64() : 0;
      return boost::json::object{{"count", n + 1}};
    });
    g.add_edge(weft::START, "step");
    g.add_conditional_edges("step", [](weft::StateView s) -> weft::Route {
      const auto* count = s.find("count");
      return count && count->is_int64() && count->as_int64() >= 10 ? weft::Route(weft::END) : weft::Route("step");
    });
    return g.compile(std::move(options));
  };
  return d;
}

weft::graphs::GraphDefinition model_wait() {
  weft::graphs::GraphDefinition d;
  d.name = "model_wait";
  d.description = "prepare -> a 100 ms wait (a simulated model call) -> finish";
  d.input_schema = no_input_schema();
  d.build = [](const weft::graphs::GraphServices&, weft::CompileOptions options) {
    weft::StateGraph g({{"input", weft::Channel::last_value()}, {"summary", weft::Channel::last_value()}},
                       "model_wait");
    g.add_node("prepare", [](weft::StateView, weft::NodeContext) { return boost::json::object{{"summary", "asked"}}; });
    g.add_node("call_model", [](weft::StateView, weft::NodeContext) -> boost::asio::awaitable<boost::json::object> {
      auto executor = co_await boost::asio::this_coro::executor;
      boost::asio::steady_timer timer(executor, std::chrono::milliseconds(100));
      co_await timer.async_wait(boost::asio::use_awaitable);
      co_return boost::json::object{{"summary", "answered"}};
    });
    g.add_node("finish", [](weft::StateView, weft::NodeContext) { return boost::json::object{{"summary", "done"}}; });
    g.add_edge(weft::START, "prepare");
    g.add_edge("prepare", "call_model");
    g.add_edge("call_model", "finish");
    g.add_edge("finish", weft::END);
    return g.compile(std::move(options));
  };
  return d;
}

}  // namespace

int main(int argc, char** argv) { return weft::cli::main(argc, argv, {ten_steps(), model_wait()}); }
