// SPDX-License-Identifier: MIT
// llm_node, tools_condition and the prebuilt react agent, with a scripted model.

#include "tests/agent/support.hpp"

#include "engine/error.hpp"
#include "engine/state_graph.hpp"
#include "nodes/model/scripted_chat_model.hpp"
#include "nodes/tools/llm_node.hpp"
#include "nodes/tools/react_agent.hpp"
#include "nodes/tools/tools_condition.hpp"

#include <boost/json/parse.hpp>
#include <doctest/doctest.h>

#include <memory>
#include <string>

namespace asio = boost::asio;
namespace json = boost::json;
using weft::Tool;
using weft::ToolContext;
using weft::test::conversation;

namespace {

struct Calls {
  int weather = 0;
  int time = 0;
};

weft::ToolRegistry tools(std::shared_ptr<Calls> calls) {
  return weft::ToolRegistry{
      Tool("get_weather", "Weather in a city.",
           json::parse(R"({"type":"object","properties":{"city":{"type":"string"}},"required":["city"],
                           "additionalProperties":false})"),
           [calls](json::object args, ToolContext) -> asio::awaitable<json::value> {
             ++calls->weather;
             co_return json::value("sunny in " + std::string(args.at("city").as_string()));
           }),
      Tool("get_time", "Current time in a city.",
           json::parse(R"({"type":"object","properties":{"city":{"type":"string"}},"required":["city"]})"),
           [calls](json::object, ToolContext) -> asio::awaitable<json::value> {
             ++calls->time;
             co_return json::value("10:00");
           }),
  };
}

std::string role(const json::value& message) { return std::string(message.at("role").as_string()); }

}  // namespace

TEST_SUITE("agent") {
  TEST_CASE("tools_condition routes to tools only after an assistant message with tool calls") {
    const auto route_of = [](const char* messages) {
      json::object state;
      state["messages"] = json::parse(messages);
      const weft::Route route = weft::tools_condition(weft::StateView(std::make_shared<const json::object>(state)));
      REQUIRE(route.names().size() == 1);
      return route.names()[0];
    };
    CHECK(route_of(R"([{"role":"user","content":"hi"},{"role":"assistant","content":null,"tool_calls":[
                     {"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]}])") == "tools");
    CHECK(route_of(R"([{"role":"assistant","content":"done"}])") == weft::END);
    CHECK(route_of(R"([{"role":"assistant","content":"x","tool_calls":[]}])") == weft::END);
    CHECK(route_of(R"([{"role":"tool","tool_call_id":"c","content":"r"}])") == weft::END);
    CHECK(route_of("[]") == weft::END);
    const weft::RouterFunction custom = weft::tools_condition_for("chat", "act");
    json::object state;
    state["chat"] = json::parse(R"([{"role":"assistant","content":null,"tool_calls":[
                     {"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]}])");
    CHECK(custom(weft::StateView(std::make_shared<const json::object>(state))).names() ==
          std::vector<std::string>{"act"});
  }

  TEST_CASE("llm_node sends the conversation with the system prompt and bound tools and appends the answer") {
    auto calls = std::make_shared<Calls>();
    auto model = std::make_shared<weft::ScriptedChatModel>(json::parse(R"([
    {"tool_calls":[{"id":"call_1","name":"get_weather","arguments":{"city":"Paris"}}],"usage":{"prompt_tokens":12,"completion_tokens":5}}
  ])")
                                                               .as_array());
    weft::LlmNodeOptions options;
    options.system_prompt = "You are terse.";
    options.temperature = 0.0;
    weft::StateGraph graph({{"messages", weft::Channel::messages()}}, "llm_only");
    graph.add_node("agent", weft::llm_node(model, tools(calls), options));
    graph.add_edge(std::string(weft::START), "agent");
    graph.add_edge("agent", std::string(weft::END));
    const weft::RunResult result = graph.compile().invoke(conversation("Weather in Paris?"));
    REQUIRE(result.status == weft::RunStatus::done);

    const auto requests = model->requests();
    REQUIRE(requests.size() == 1);
    REQUIRE(requests[0].messages.size() == 2);
    CHECK(requests[0].messages[0] == weft::system_message("You are terse."));
    CHECK(requests[0].messages[1].at("content") == "Weather in Paris?");
    CHECK(requests[0].tools == tools(calls).to_openai());
    CHECK(requests[0].temperature == 0.0);

    const json::array& messages = result.values.at("messages").as_array();
    REQUIRE(messages.size() == 2);  // the system prompt is not stored
    CHECK(role(messages[0]) == "user");
    CHECK(role(messages[1]) == "assistant");
    const json::array& tool_calls = messages[1].at("tool_calls").as_array();
    REQUIRE(tool_calls.size() == 1);
    CHECK(tool_calls[0].at("function").at("name") == "get_weather");
    CHECK(json::parse(tool_calls[0].at("function").at("arguments").as_string()) == json::parse(R"({"city":"Paris"})"));
    CHECK(messages[1].at("metadata").at("usage").at("prompt_tokens") == 12);
    CHECK(messages[1].at("metadata").at("finish_reason") == "tool_calls");
    CHECK(calls->weather == 0);  // the LLM node calls no tool itself
  }

  TEST_CASE("the react agent runs the requested tools and returns the model's final answer") {
    auto calls = std::make_shared<Calls>();
    auto model = std::make_shared<weft::ScriptedChatModel>(json::parse(R"([
    {"tool_calls":[{"id":"call_w","name":"get_weather","arguments":{"city":"Paris"}},
                   {"id":"call_t","name":"get_time","arguments":{"city":"Paris"}}]},
    "It is sunny in Paris and 10:00."
  ])")
                                                               .as_array());
    weft::ReactAgentOptions options;
    options.system_prompt = "Answer with the tools.";
    const weft::RunResult result = weft::react_agent(model, tools(calls), options).invoke(conversation("Paris?"));
    REQUIRE(result.status == weft::RunStatus::done);
    CHECK(calls->weather == 1);
    CHECK(calls->time == 1);

    const json::array& messages = result.values.at("messages").as_array();
    REQUIRE(messages.size() == 5);
    CHECK(role(messages[1]) == "assistant");
    CHECK(messages[2].at("tool_call_id") == "call_w");
    CHECK(messages[2].at("content") == "sunny in Paris");
    CHECK(messages[3].at("tool_call_id") == "call_t");
    CHECK(messages[3].at("content") == "10:00");
    CHECK(messages[4].at("content") == "It is sunny in Paris and 10:00.");

    // The second model call saw the tool results.
    const auto requests = model->requests();
    REQUIRE(requests.size() == 2);
    CHECK(requests[1].messages.size() == 5);  // system + user + assistant + 2 tool messages
    CHECK(requests[1].messages[3].at("role") == "tool");
  }

  TEST_CASE("the react agent feeds a tool error back to the model, which can correct itself") {
    auto calls = std::make_shared<Calls>();
    auto model = std::make_shared<weft::ScriptedChatModel>(json::parse(R"([
    {"tool_calls":[{"id":"call_1","name":"get_weather","arguments":{"town":"Paris"}}]},
    {"tool_calls":[{"id":"call_2","name":"get_weather","arguments":{"city":"Paris"}}]},
    "Sunny."
  ])")
                                                               .as_array());
    const weft::RunResult result = weft::react_agent(model, tools(calls)).invoke(conversation("Paris?"));
    REQUIRE(result.status == weft::RunStatus::done);
    CHECK(calls->weather == 1);  // the invalid call never reached the tool
    const auto requests = model->requests();
    REQUIRE(requests.size() == 3);
    const json::value& error = requests[1].messages.back();
    CHECK(error.at("role") == "tool");
    CHECK(error.at("content") ==
          "Error: invalid arguments for tool 'get_weather': missing required property 'city'; "
          "property 'town' is not allowed (allowed: city). Fix these fields and call the tool again.");
    CHECK(result.values.at("messages").as_array().back().at("content") == "Sunny.");
  }

  TEST_CASE("the react agent stops with a final message after max_steps instead of a recursion error") {
    auto calls = std::make_shared<Calls>();
    json::array script;
    for (int i = 0; i < 10; ++i)
      script.push_back(json::parse(R"({"tool_calls":[{"name":"get_time","arguments":{"city":"Oslo"}}]})"));
    auto model = std::make_shared<weft::ScriptedChatModel>(script);
    weft::ReactAgentOptions options;
    options.max_steps = 3;
    weft::RunConfig config;
    config.recursion_limit = 25;
    const weft::RunResult result =
        weft::react_agent(model, tools(calls), options).invoke(conversation("time?"), config);
    REQUIRE(result.status == weft::RunStatus::done);
    CHECK(model->requests().size() == 3);  // three model calls...
    CHECK(calls->time == 2);               // ...the third one's tool call was not run
    const json::value& last = result.values.at("messages").as_array().back();
    CHECK(last.at("role") == "assistant");
    CHECK(last.as_object().if_contains("tool_calls") == nullptr);
    CHECK(last.at("content") ==
          "Stopped after 3 steps: the step limit was reached before a final answer. "
          "These requested tool calls were not run: get_time.");
    CHECK(last.at("metadata").at("stop_reason") == "step_limit");
  }

  TEST_CASE("the step limit counts model calls since the last user message") {
    CHECK(weft::steps_since_last_user_message(json::parse(R"([
    {"role":"user","content":"a"},{"role":"assistant","content":"x"},
    {"role":"user","content":"b"},{"role":"assistant","content":null},{"role":"tool","content":"r"},
    {"role":"assistant","content":"y"}])")
                                                  .as_array()) == 2);
    CHECK(weft::steps_since_last_user_message(json::parse(R"([{"role":"assistant","content":"x"}])").as_array()) == 1);
    CHECK(weft::steps_since_last_user_message(json::array()) == 0);
  }

  TEST_CASE("a react agent with no step allowed is refused when built") {
    auto model = std::make_shared<weft::ScriptedChatModel>(json::parse(R"(["unused"])").as_array());
    weft::ReactAgentOptions options;
    options.max_steps = 0;
    CHECK_THROWS_AS(weft::react_agent_graph(model, weft::ToolRegistry{}, options), weft::Error);
  }

}  // TEST_SUITE
