// SPDX-License-Identifier: MIT
// OpenAIChatModel against the scripted fake LLM on loopback: replies, tool calls, structured
// output and streaming, as the Chat Completions API carries them.

#include "tests/model/openai_harness.hpp"

#include <doctest/doctest.h>

using namespace openai_test;

TEST_CASE("a plain reply comes back as an assistant message with usage, and the key and body were sent") {
  Harness h(R"(["Hello from the fake."])");
  auto model = h.model();
  auto request = ask("hi");
  json::object extra_message = weft::user_message("and more");
  extra_message["metadata"] = json::object{{"weft", 1}};  // Weft-only keys must not reach the API
  extra_message["id"] = "m1";
  request.messages.push_back(extra_message);
  request.temperature = 0.5;
  const auto res = h.complete(model, request);
  CHECK(res.content() == "Hello from the fake.");
  CHECK(res.message.at("role") == "assistant");
  CHECK(res.finish_reason == "stop");
  CHECK(res.model == "fake-gpt");
  CHECK(res.usage.completion_tokens > 0);
  CHECK(res.usage.total_tokens == res.usage.prompt_tokens + res.usage.completion_tokens);
  CHECK(res.tool_calls.empty());
  const auto req = h.server->requests().back();
  CHECK(req.path == "/v1/chat/completions");
  CHECK(req.header("authorization") == std::string("Bearer ") + kKey);
  const auto body = h.last_body();
  CHECK(body.at("model") == "fake-gpt");
  CHECK(body.at("temperature").as_double() == 0.5);
  CHECK(body.at("messages").as_array().size() == 3);
  CHECK_FALSE(body.at("messages").as_array()[2].as_object().contains("metadata"));
  CHECK_FALSE(body.at("messages").as_array()[2].as_object().contains("id"));
  CHECK_FALSE(body.contains("stream"));
  CHECK_FALSE(body.contains("tools"));
}

TEST_CASE("several tool calls in one turn are returned in order, and tools and tool_choice are sent") {
  Harness h(R"([{"reply": {"tool_calls": [
      {"id": "call_a", "name": "get_weather", "arguments": {"city": "Paris"}},
      {"id": "call_b", "name": "get_time", "arguments": "{\"tz\":\"CET\"}"}]}}])");
  auto model = h.model();
  auto request = ask("weather and time?");
  request.tools = json::parse(R"([{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}},
                                  {"type":"function","function":{"name":"get_time","parameters":{"type":"object"}}}])")
                      .as_array();
  request.tool_choice = "auto";
  const auto res = h.complete(model, request);
  REQUIRE(res.tool_calls.size() == 2);
  CHECK(res.tool_calls[0].id == "call_a");
  CHECK(res.tool_calls[0].name == "get_weather");
  CHECK(json::parse(res.tool_calls[0].arguments) == json::parse(R"({"city":"Paris"})"));
  CHECK(res.tool_calls[1].name == "get_time");
  CHECK(res.tool_calls[1].arguments == R"({"tz":"CET"})");
  CHECK(res.finish_reason == "tool_calls");
  CHECK(res.message.at("content").is_null());
  CHECK(res.message.at("tool_calls").as_array().size() == 2);
  const auto body = h.last_body();
  CHECK(body.at("tools").as_array().size() == 2);
  CHECK(body.at("tool_choice") == "auto");
}

TEST_CASE("an assistant tool-call turn and tool results are sent back in OpenAI format") {
  Harness h(R"([{"match": {"after_tool": true}, "reply": "It is sunny."}])");
  auto model = h.model();
  auto request = ask("weather?");
  json::object assistant = json::parse(R"({"role":"assistant","content":null,"id":"x",
      "tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":{"city":"Paris"}}}]})")
                               .as_object();
  request.messages.push_back(assistant);
  request.messages.push_back(weft::tool_message("call_1", "sunny"));
  CHECK(h.complete(model, request).content() == "It is sunny.");
  const auto messages = h.last_body().at("messages").as_array();
  const auto& sent = messages[2].as_object();
  CHECK(sent.at("tool_calls").as_array()[0].at("function").at("arguments") == R"({"city":"Paris"})");
  CHECK_FALSE(sent.contains("id"));
  CHECK(messages[3].at("role") == "tool");
  CHECK(messages[3].at("tool_call_id") == "call_1");
}

TEST_CASE("structured output sends the JSON schema and returns the parsed content") {
  Harness h(R"(["{\"category\":\"spam\",\"reason\":\"casino link\"}"])");
  auto model = h.model();
  auto request = ask("classify this");
  request.response_format = weft::json_schema_format(
      "classification",
      json::parse(R"({"type":"object","properties":{"category":{"type":"string"}},"required":["category"]})"));
  const auto res = h.complete(model, request);
  REQUIRE(res.parsed.is_object());
  CHECK(res.parsed.at("category") == "spam");
  const auto body = h.last_body();
  CHECK(body.at("response_format").at("type") == "json_schema");
  CHECK(body.at("response_format").at("json_schema").at("name") == "classification");
  CHECK(body.at("response_format").at("json_schema").at("strict") == true);
}

TEST_CASE("streaming delivers the tokens in order and assembles the same response") {
  Harness h(R"(["The quick brown fox jumps."])");
  auto model = h.model();
  auto request = ask("story");
  std::vector<std::string> tokens;
  request.on_token = [&](std::string_view t) { tokens.emplace_back(t); };
  const auto res = h.complete(model, request);
  CHECK(tokens == std::vector<std::string>{"The", " quick", " brown", " fox", " jumps."});
  CHECK(res.content() == "The quick brown fox jumps.");
  CHECK(res.finish_reason == "stop");
  CHECK(res.usage.completion_tokens > 0);  // from the include_usage chunk
  const auto body = h.last_body();
  CHECK(body.at("stream") == true);
  CHECK(body.at("stream_options").at("include_usage") == true);
  CHECK(h.server->requests().back().header("accept") == "text/event-stream");
}

TEST_CASE("streamed tool-call deltas are assembled into whole calls") {
  Harness h(R"([{"reply": {"tool_calls": [{"id": "c1", "name": "lookup", "arguments": {"q": "alpha beta"}},
                                          {"id": "c2", "name": "fetch", "arguments": {"id": 42}}]}}])");
  auto model = h.model();
  auto request = ask("go");
  request.on_token = [](std::string_view) {};
  const auto res = h.complete(model, request);
  REQUIRE(res.tool_calls.size() == 2);
  CHECK(res.tool_calls[0].id == "c1");
  CHECK(json::parse(res.tool_calls[0].arguments) == json::parse(R"({"q":"alpha beta"})"));
  CHECK(res.tool_calls[1].name == "fetch");
  CHECK(json::parse(res.tool_calls[1].arguments) == json::parse(R"({"id":42})"));
  CHECK(res.finish_reason == "tool_calls");
}

TEST_CASE("the fake LLM lists its model and picks script entries by their match conditions") {
  Harness h(R"([{"match": {"contains": "weather"}, "reply": "sunny", "uses": -1},
                {"match": {"stream": true}, "reply": "streamed"},
                "fallback"])");
  auto model = h.model();
  CHECK(h.complete(model, ask("hello")).content() == "fallback");
  CHECK(h.complete(model, ask("the weather?")).content() == "sunny");
  CHECK(h.complete(model, ask("weather again")).content() == "sunny");
  auto streaming = ask("x");
  streaming.on_token = [](std::string_view) {};
  CHECK(h.complete(model, streaming).content() == "streamed");
  http::Client client(h.io.get_executor());
  auto list = [](http::Client c, std::string url) -> asio::awaitable<http::Response> {
    http::Request r;
    r.url = std::move(url);
    http::Response res = co_await c.request(std::move(r));
    co_return res;
  };
  const auto models = weft::test::run(h.io, list(client, h.server->base_url() + "/models"));
  CHECK(models.status == 200);
  CHECK(json::parse(models.body).at("data").at(0).at("id") == "fake-gpt");
}
