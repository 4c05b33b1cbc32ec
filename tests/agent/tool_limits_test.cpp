// SPDX-License-Identifier: MIT
// Bounded actions: one model answer cannot make more than the per-turn cap of tool calls, and a
// write tool cannot exceed its per-run budget, counted from the conversation in state (so a
// resumed run, in a new process, counts what the earlier ones did).

#include "tests/agent/support.hpp"

#include "nodes/model/scripted_chat_model.hpp"
#include "nodes/tools/llm_node.hpp"
#include "nodes/tools/react_agent.hpp"
#include "nodes/tools/tool_limits.hpp"
#include "nodes/tools/tool_node.hpp"
#include "store/memory_checkpointer.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <doctest/doctest.h>

#include <memory>
#include <string>

namespace asio = boost::asio;
namespace json = boost::json;
using weft::Tool;
using weft::ToolContext;
using weft::ToolEffects;
using weft::test::conversation;

namespace {

struct Counters {
  int sends = 0;
  int lookups = 0;
};

weft::ToolRegistry registry(std::shared_ptr<Counters> counters) {
  return weft::ToolRegistry{
      Tool(
          "send_message", "Sends a message to a customer.",
          json::parse(R"({"type":"object","properties":{"content":{"type":"string"}},"required":["content"]})"),
          [counters](json::object, ToolContext) -> asio::awaitable<json::value> {
            ++counters->sends;
            co_return json::value("sent");
          },
          ToolEffects::journaled),
      Tool("lookup", "Reads something.", json::parse(R"({"type":"object"})"),
           [counters](json::object, ToolContext) -> asio::awaitable<json::value> {
             ++counters->lookups;
             co_return json::value("looked up");
           }),
  };
}

json::object call(const std::string& id, const std::string& name, const std::string& arguments) {
  json::object function;
  function["name"] = name;
  function["arguments"] = arguments;
  json::object c;
  c["id"] = id;
  c["type"] = "function";
  c["function"] = std::move(function);
  return c;
}

json::object turn_of(json::array calls) {
  json::object turn;
  turn["role"] = "assistant";
  turn["content"] = nullptr;
  turn["tool_calls"] = std::move(calls);
  return turn;
}

weft::RunResult run_tools(const json::object& input, weft::ToolRegistry tools, weft::ToolLimits limits,
                          const std::string& thread) {
  auto store = std::make_shared<weft::MemoryCheckpointer>();
  weft::StateGraph graph({{"messages", weft::Channel::messages()}}, "limits");
  weft::ToolNodeOptions options;
  options.limits = std::move(limits);
  graph.add_node("tools", weft::tool_node(std::move(tools), std::move(options)));
  graph.add_edge(std::string(weft::START), "tools");
  graph.add_edge("tools", std::string(weft::END));
  weft::CompileOptions compile;
  compile.checkpointer = store;
  compile.effect_journal = store;
  weft::RunConfig config;
  config.thread_id = thread;
  return graph.compile(std::move(compile)).invoke(input, config);
}

std::size_t count_refused(const json::object& values, std::string_view why) {
  std::size_t n = 0;
  for (const auto& m : values.at("messages").as_array()) {
    const auto* r = m.as_object().if_contains("refused");
    if (r != nullptr && r->is_string() && r->get_string() == why) ++n;
  }
  return n;
}

}  // namespace

TEST_SUITE("tool limits") {
  TEST_CASE("one model answer with 2000 tool calls runs only the per-turn cap and refuses the rest") {
    auto counters = std::make_shared<Counters>();
    json::array calls;
    for (int i = 0; i < 2000; ++i) calls.push_back(call("c" + std::to_string(i), "lookup", "{}"));
    weft::ToolLimits limits;
    limits.max_calls_per_turn = 10;
    const auto result = run_tools(conversation("look", turn_of(std::move(calls))), registry(counters), limits, "cap");
    REQUIRE(result.status == weft::RunStatus::done);
    CHECK(counters->lookups == 10);
    const json::array& messages = result.values.at("messages").as_array();
    REQUIRE(messages.size() == 2 + 2000);  // every call answered, in order
    CHECK(messages[2 + 9].at("status") == "success");
    const json::object& refused = messages[2 + 10].as_object();
    CHECK(refused.at("tool_call_id") == "c10");
    CHECK(refused.at("status") == "error");
    CHECK(refused.at("refused") == "per_turn_cap");
    CHECK(std::string(refused.at("content").as_string())
              .rfind("Error: refused: this answer asked for 2000 tool calls", 0) == 0);
    CHECK(count_refused(result.values, "per_turn_cap") == 1990);
    CHECK(weft::refused_calls(messages).per_turn_cap == 1990);
  }

  TEST_CASE("the tool node's default cap bounds a turn even when nothing is configured") {
    auto counters = std::make_shared<Counters>();
    json::array calls;
    for (int i = 0; i < 500; ++i) calls.push_back(call("c" + std::to_string(i), "lookup", "{}"));
    const auto result = run_tools(conversation("look", turn_of(std::move(calls))), registry(counters), {}, "default");
    REQUIRE(result.status == weft::RunStatus::done);
    CHECK(counters->lookups == 32);
  }

  TEST_CASE("100 message calls in one answer send at most the write budget") {
    auto counters = std::make_shared<Counters>();
    json::array calls;
    for (int i = 0; i < 100; ++i)
      calls.push_back(
          call("m" + std::to_string(i), "send_message", R"({"content":"hello )" + std::to_string(i) + R"("})"));
    weft::ToolLimits limits;
    limits.max_calls_per_turn = 0;  // no per-turn cap: the budget alone must hold
    limits.write_budget["send_message"] = 3;
    const auto result =
        run_tools(conversation("spam", turn_of(std::move(calls))), registry(counters), limits, "budget");
    REQUIRE(result.status == weft::RunStatus::done);
    CHECK(counters->sends == 3);
    CHECK(count_refused(result.values, "run_budget") == 97);
    const auto refused = weft::refused_calls(result.values.at("messages").as_array());
    CHECK(refused.by_tool.at("send_message") == 97);
  }

  TEST_CASE("the write budget counts the messages already in the conversation so a resumed run cannot exceed it") {
    // What an earlier turn (in an earlier process) left in state: two sends done, one refused, one
    // rejected for bad arguments before any request (neither of the last two counts).
    json::array messages = conversation("spam").at("messages").as_array();
    messages.push_back(turn_of(json::array{call("a", "send_message", R"({"content":"1"})"),
                                           call("b", "send_message", R"({"content":"2"})"),
                                           call("c", "send_message", "{}"), call("d", "send_message", "{}")}));
    messages.push_back(
        json::parse(R"({"role":"tool","tool_call_id":"a","name":"send_message","status":"success","content":"sent"})"));
    messages.push_back(json::parse(
        R"({"role":"tool","tool_call_id":"b","name":"send_message","status":"error","content":"Error: 429"})"));
    messages.push_back(json::parse(
        R"({"role":"tool","tool_call_id":"c","name":"send_message","status":"error","sent":false,"content":"Error: invalid"})"));
    messages.push_back(json::parse(
        R"({"role":"tool","tool_call_id":"d","name":"send_message","status":"error","refused":"run_budget","content":"Error: refused"})"));
    json::array calls;
    for (int i = 0; i < 5; ++i)
      calls.push_back(call("n" + std::to_string(i), "send_message", R"({"content":"again"})"));
    messages.push_back(turn_of(std::move(calls)));
    json::object input;
    input["messages"] = std::move(messages);

    auto counters = std::make_shared<Counters>();
    weft::ToolLimits limits;
    limits.default_write_budget = 3;
    const auto result = run_tools(input, registry(counters), limits, "resumed");
    REQUIRE(result.status == weft::RunStatus::done);
    CHECK(counters->sends == 1);  // 3 - the two sent before
    CHECK(count_refused(result.values, "run_budget") == 1 + 4);
    CHECK(counters->lookups == 0);
  }

  TEST_CASE("reads have no budget and unknown tools are answered as unknown, not refused") {
    weft::ToolLimits limits;
    limits.default_write_budget = 0;
    auto counters = std::make_shared<Counters>();
    const auto plan = weft::plan_tool_calls({weft::ToolCall{"1", "lookup", "{}"}, weft::ToolCall{"2", "nope", "{}"},
                                             weft::ToolCall{"3", "send_message", "{}"}},
                                            json::array(), registry(counters), limits);
    REQUIRE(plan.size() == 3);
    CHECK(plan[0] == weft::ToolRefusal::none);
    CHECK(plan[1] == weft::ToolRefusal::none);
    CHECK(plan[2] == weft::ToolRefusal::run_budget);
  }

  TEST_CASE("the step-limit message names a few of 2000 requested calls, not all of them") {
    json::array script;
    json::array calls;
    for (int i = 0; i < 2000; ++i) calls.push_back(json::object{{"name", "lookup"}, {"arguments", json::object()}});
    script.push_back(json::object{{"tool_calls", std::move(calls)}});
    auto model = std::make_shared<weft::ScriptedChatModel>(script);
    weft::ReactAgentOptions options;
    options.max_steps = 1;
    auto counters = std::make_shared<Counters>();
    const auto result = weft::react_agent(model, registry(counters), options).invoke(conversation("go"), {});
    REQUIRE(result.status == weft::RunStatus::done);
    const std::string content(result.values.at("messages").as_array().back().at("content").as_string());
    CHECK(content.find("and 1990 more") != std::string::npos);
    CHECK(content.size() < 400);
    CHECK(counters->lookups == 0);
  }

}  // TEST_SUITE
