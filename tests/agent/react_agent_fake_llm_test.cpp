// SPDX-License-Identifier: MIT
// The react agent end to end with the real OpenAIChatModel against the loopback fake LLM
// (sandbox/fake_llm): the model asks for two tools in one turn, then answers.

#include "tests/agent/support.hpp"

#include "engine/state_graph.hpp"
#include "nodes/model/openai_chat_model.hpp"
#include "nodes/tools/react_agent.hpp"
#include "sandbox/fake_llm/server.hpp"
#include "store/memory_checkpointer.hpp"
#include "tests/tools/run_sync.hpp"

#include <boost/asio/io_context.hpp>
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
           json::parse(R"({"type":"object","properties":{"city":{"type":"string","minLength":1}},"required":["city"],
                           "additionalProperties":false})"),
           [calls](json::object args, ToolContext) -> asio::awaitable<json::value> {
             ++calls->weather;
             co_return json::value("sunny in " + std::string(args.at("city").as_string()));
           }),
      Tool(
          "get_time", "Current time in a city.",
          json::parse(R"({"type":"object","properties":{"city":{"type":"string"}},"required":["city"]})"),
          [calls](json::object args, ToolContext) -> asio::awaitable<json::value> {
            ++calls->time;
            json::object out;
            out["city"] = args.at("city");
            out["time"] = "10:00";
            co_return json::value(std::move(out));
          },
          weft::ToolEffects::journaled),
  };
}

const char* kScript = R"([
  {"match": {"has_tools": true, "after_tool": false},
   "reply": {"tool_calls": [{"id": "call_w", "name": "get_weather", "arguments": {"city": "Paris"}},
                            {"id": "call_t", "name": "get_time", "arguments": {"city": "Paris"}}]}},
  {"match": {"after_tool": true}, "reply": {"content": "It is sunny in Paris and 10:00."}}
])";

weft::OpenAIConfig config_for(const weft::sandbox::fake_llm::FakeLlm& server) {
  weft::OpenAIConfig config;
  config.base_url = server.base_url();
  config.api_key = "sk-loopback-test";
  config.model = "fake-gpt";
  return config;
}

}  // namespace

TEST_SUITE("agent fake llm") {
  TEST_CASE("a react agent runs two tool calls and answers, against the fake OpenAI server with the real client") {
    weft::sandbox::fake_llm::Options server_options;
    server_options.api_key = "sk-loopback-test";
    weft::sandbox::fake_llm::FakeLlm server(json::parse(kScript), server_options);
    server.start();

    asio::io_context io;
    auto calls = std::make_shared<Calls>();
    auto model = std::make_shared<weft::OpenAIChatModel>(io.get_executor(), config_for(server));
    auto store = std::make_shared<weft::MemoryCheckpointer>();
    weft::ReactAgentOptions options;
    options.system_prompt = "Use the tools.";
    options.max_steps = 4;
    weft::CompileOptions compile_options;
    compile_options.checkpointer = store;
    const weft::CompiledGraph agent = weft::react_agent(model, tools(calls), options, compile_options);

    weft::RunConfig config;
    config.thread_id = "fake-llm-e2e";
    const weft::RunResult result =
        weft::test::run_sync(io, agent.run(conversation("Weather and time in Paris?"), config));
    REQUIRE(result.status == weft::RunStatus::done);
    CHECK(calls->weather == 1);
    CHECK(calls->time == 1);

    const json::array& messages = result.values.at("messages").as_array();
    REQUIRE(messages.size() == 5);
    CHECK(messages[1].at("tool_calls").as_array().size() == 2);
    CHECK(messages[2].at("tool_call_id") == "call_w");
    CHECK(messages[2].at("content") == "sunny in Paris");
    CHECK(messages[3].at("tool_call_id") == "call_t");
    CHECK(json::parse(messages[3].at("content").as_string()) == json::parse(R"({"city":"Paris","time":"10:00"})"));
    CHECK(messages[4].at("content") == "It is sunny in Paris and 10:00.");
    CHECK(messages[4].at("metadata").at("finish_reason") == "stop");

    // What went over the wire.
    const auto requests = server.requests();
    REQUIRE(requests.size() == 2);
    CHECK(requests[0].header("authorization") == "Bearer sk-loopback-test");
    const json::value first = json::parse(requests[0].body);
    CHECK(first.at("tools") == tools(calls).to_openai());
    CHECK(first.at("messages").at(0) == json::parse(R"({"role":"system","content":"Use the tools."})"));
    const json::value second = json::parse(requests[1].body);
    const json::array& sent = second.at("messages").as_array();
    REQUIRE(sent.size() == 5);  // system, user, assistant with calls, two tool results
    CHECK(sent[3].at("role") == "tool");
    CHECK(sent[3].at("tool_call_id") == "call_w");
    CHECK(sent[3].at("content") == "sunny in Paris");
    CHECK(sent[3].as_object().if_contains("status") == nullptr);  // Weft's own keys stay home
    CHECK(sent[4].at("tool_call_id") == "call_t");
  }

  TEST_CASE("the agent streams the final answer's tokens in order through the run's stream") {
    weft::sandbox::fake_llm::FakeLlm server(json::parse(kScript));
    server.start();

    asio::io_context io;
    auto calls = std::make_shared<Calls>();
    auto model = std::make_shared<weft::OpenAIChatModel>(io.get_executor(), config_for(server));
    weft::ReactAgentOptions options;
    options.llm.stream_tokens = true;
    const weft::CompiledGraph agent = weft::react_agent(model, tools(calls), options);

    std::string streamed;
    int token_events = 0;
    weft::RunConfig config;
    config.stream_modes = static_cast<weft::StreamModes>(weft::StreamMode::messages);
    config.stream = [&](const weft::StreamEvent& event) {
      if (event.mode != weft::StreamMode::messages) return;
      CHECK(event.node == "agent");
      CHECK(!event.task_id.empty());
      streamed += event.data.at("delta").as_string();
      ++token_events;
    };
    const weft::RunResult result =
        weft::test::run_sync(io, agent.run(conversation("Weather and time in Paris?"), config));
    REQUIRE(result.status == weft::RunStatus::done);
    CHECK(streamed == "It is sunny in Paris and 10:00.");
    CHECK(token_events > 1);  // word by word, not one block
    const auto requests = server.requests();
    REQUIRE(requests.size() == 2);
    CHECK(json::parse(requests[1].body).at("stream") == true);
  }

}  // TEST_SUITE
