// SPDX-License-Identifier: MIT
// OpenAIChatModel against the scripted fake LLM (sandbox/fake_llm) on loopback.

#include "engine/clock.hpp"
#include "nodes/model/error.hpp"
#include "nodes/model/openai_chat_model.hpp"
#include "sandbox/fake_llm/server.hpp"
#include "tests/http/run.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>

#include <doctest/doctest.h>

#include <future>

namespace asio = boost::asio;
namespace json = boost::json;
namespace http = weft::http;
using weft::sandbox::fake_llm::FakeLlm;
using namespace std::chrono_literals;

namespace {

constexpr const char* kKey = "sk-test-abcdef123456";

struct Harness {
  explicit Harness(const char* script, weft::sandbox::fake_llm::Options options = {}) {
    if (options.api_key.empty()) options.api_key = kKey;
    server = std::make_unique<FakeLlm>(json::parse(script), options);
    server->start();
  }
  weft::OpenAIChatModel model(http::ClientOptions o = {}) {
    if (!o.clock) o.clock = clock;
    o.retry.jitter = 0;
    o.observer = [this](const http::RateLimitEvent& e) { events.push_back(e.to_string()); };
    weft::OpenAIConfig config;
    config.base_url = server->base_url();
    config.api_key = kKey;
    config.model = "fake-gpt";
    return weft::OpenAIChatModel(io.get_executor(), config, o);
  }
  weft::ChatResponse complete(weft::OpenAIChatModel& m, weft::ChatRequest r) {
    return weft::test::run(io, call(m, std::move(r)));
  }
  static asio::awaitable<weft::ChatResponse> call(weft::OpenAIChatModel& m, weft::ChatRequest r) {
    weft::ChatResponse out = co_await m.complete(std::move(r));
    co_return out;
  }
  weft::Error expect_error(weft::OpenAIChatModel& m, weft::ChatRequest r) {
    try {
      complete(m, std::move(r));
    } catch (const weft::Error& e) {
      return e;
    }
    FAIL("the call did not fail");
    throw std::logic_error("unreachable");
  }
  json::object last_body() const { return json::parse(server->requests().back().body).as_object(); }

  asio::io_context io;
  std::shared_ptr<weft::ManualClock> clock = std::make_shared<weft::ManualClock>();
  std::unique_ptr<FakeLlm> server;
  std::vector<std::string> events;
};

weft::ChatRequest ask(std::string text) {
  weft::ChatRequest r;
  r.messages.push_back(weft::system_message("You are terse."));
  r.messages.push_back(weft::user_message(text));
  return r;
}

}  // namespace

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

TEST_CASE("a 429 with Retry-After is waited out and then the reply arrives") {
  Harness h(R"([{"fault": {"status": 429, "headers": {"Retry-After": "2"}}}, "after the wait"])");
  auto model = h.model();
  CHECK(h.complete(model, ask("x")).content() == "after the wait");
  REQUIRE(h.clock->sleeps().size() == 1);
  CHECK(h.clock->sleeps()[0] == 2s);
  CHECK(h.server->count_status(429) == 1);
}

TEST_CASE("a 429 with RateLimit-Reset is waited out as delta seconds and then the reply arrives") {
  Harness h(R"([{"fault": {"status": 429, "headers": {"RateLimit-Remaining": "0", "RateLimit-Reset": "5"}}}, "ok"])");
  auto model = h.model();
  CHECK(h.complete(model, ask("x")).content() == "ok");
  REQUIRE(h.clock->sleeps().size() == 1);
  CHECK(h.clock->sleeps()[0] == 5s);
}

TEST_CASE("a 500 is retried and then the reply arrives") {
  Harness h(R"([{"fault": {"status": 500}}, "recovered"])");
  auto model = h.model();
  CHECK(h.complete(model, ask("x")).content() == "recovered");
  CHECK(h.server->requests().size() == 2);
}

TEST_CASE("the model gives up after max attempts with a clear error") {
  Harness h(R"([{"fault": {"status": 503}, "uses": -1}])");
  http::ClientOptions o;
  o.retry.max_attempts = 4;
  auto model = h.model(o);
  const auto e = h.expect_error(model, ask("x"));
  CHECK(e.code() == http::error::server_error);
  const std::string what = e.what();
  CHECK(what.find("4 attempts") != std::string::npos);
  CHECK(what.find("503") != std::string::npos);
  CHECK(what.find("127.0.0.1") != std::string::npos);
  CHECK(h.server->requests().size() == 4);
}

TEST_CASE("a server slower than the read timeout fails with a timeout error") {
  Harness h(R"([{"fault": {"delay_ms": 3000}, "reply": "late"}])");
  http::ClientOptions o;
  o.read_timeout = 100ms;
  o.retry.max_attempts = 1;
  auto model = h.model(o);
  CHECK(h.expect_error(model, ask("x")).code() == http::error::timeout);
}

TEST_CASE("a dropped connection is retried, and one that keeps dropping fails with connection_dropped") {
  {
    Harness h(R"([{"fault": {"drop": true}}, "second try"])");
    auto model = h.model();
    CHECK(h.complete(model, ask("x")).content() == "second try");
  }
  {
    Harness h(R"([{"fault": {"drop": true}, "uses": -1}])");
    auto model = h.model();
    CHECK(h.expect_error(model, ask("x")).code() == http::error::connection_dropped);
  }
}

TEST_CASE("a malformed JSON body from the server is a clear bad_response error") {
  Harness h(R"([{"fault": {"malformed": true}, "reply": "x"}])");
  auto model = h.model();
  const auto e = h.expect_error(model, ask("x"));
  CHECK(e.code() == weft::model::error::bad_response);
  CHECK(std::string(e.what()).find("not a JSON object") != std::string::npos);
}

TEST_CASE("a malformed stream event is a bad_response error and a cut stream is connection_dropped") {
  {
    Harness h(R"([{"fault": {"malformed": true}, "reply": "a b c"}])");
    auto model = h.model();
    auto request = ask("x");
    request.on_token = [](std::string_view) {};
    CHECK(h.expect_error(model, request).code() == weft::model::error::bad_response);
  }
  {
    Harness h(R"([{"fault": {"cut_stream_after": 2}, "reply": "a b c d e"}, "never used"])");
    auto model = h.model();
    auto request = ask("x");
    std::string got;
    request.on_token = [&](std::string_view t) { got += t; };
    CHECK(h.expect_error(model, request).code() == http::error::connection_dropped);
    CHECK(got == "a");  // the role chunk and one token arrived before the cut; no retry
    CHECK(h.server->requests().size() == 1);
  }
}

TEST_CASE("a rejected key is an api_error whose message does not contain the key, even when the server echoes it") {
  weft::sandbox::fake_llm::Options options;
  options.api_key = "sk-the-right-one";
  options.echo_key_in_errors = true;
  Harness h(R"(["unused"])", options);
  auto model = h.model();
  const auto e = h.expect_error(model, ask("x"));
  CHECK(e.code() == weft::model::error::api_error);
  const std::string what = e.what();
  CHECK(what.find("401") != std::string::npos);
  CHECK(what.find("Incorrect API key") != std::string::npos);
  CHECK(what.find(kKey) == std::string::npos);
  CHECK(what.find("OPENAI_API_KEY") != std::string::npos);
  CHECK(model.describe().find(kKey) == std::string::npos);
}

TEST_CASE("no secret appears in rate-limit events or give-up errors") {
  Harness h(
      R"([{"fault": {"status": 429, "headers": {"Retry-After": "1"}, "body": "{\"error\":{\"message\":\"key sk-test-abcdef123456 is throttled\"}}"}, "uses": -1}])");
  http::ClientOptions o;
  o.retry.max_attempts = 2;
  auto model = h.model(o);
  const auto e = h.expect_error(model, ask("x"));
  CHECK(std::string(e.what()).find(kKey) == std::string::npos);
  REQUIRE_FALSE(h.events.empty());
  for (const auto& line : h.events) CHECK(line.find(kKey) == std::string::npos);
}

TEST_CASE("configuration comes from OPENAI_BASE_URL, OPENAI_API_KEY and WEFT_MODEL") {
  const auto env = [](std::string_view name) -> std::optional<std::string> {
    if (name == "OPENAI_BASE_URL") return "http://127.0.0.1:9/v1/";
    if (name == "OPENAI_API_KEY") return "sk-env";
    if (name == "WEFT_MODEL") return "llama3";
    return std::nullopt;
  };
  const auto config = weft::OpenAIConfig::from_env(env);
  CHECK(config.base_url == "http://127.0.0.1:9/v1/");
  CHECK(config.api_key == "sk-env");
  CHECK(config.model == "llama3");
  CHECK(weft::OpenAIConfig::configured_in_env(env));
  const auto none = [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
  CHECK_FALSE(weft::OpenAIConfig::configured_in_env(none));
  CHECK(weft::OpenAIConfig::from_env(none).base_url == "https://api.openai.com/v1");
  asio::io_context io;
  weft::OpenAIChatModel model(io.get_executor(), config);
  CHECK(model.describe() == "openai:llama3@http://127.0.0.1:9/v1");
  weft::OpenAIConfig bad = config;
  bad.base_url = "localhost:8080";
  CHECK_THROWS_AS(weft::OpenAIChatModel(io.get_executor(), bad), weft::Error);
}

TEST_CASE("a hundred concurrent calls under the token bucket meet no 429 from a rate-limited server") {
  weft::sandbox::fake_llm::Options options;
  options.rate_limit = weft::sandbox::fake_llm::ServerRateLimit{12, 200ms, true, true};
  options.threads = 2;
  Harness h(R"([{"reply": "ok", "uses": -1}])", options);
  http::ClientOptions o;
  o.clock = weft::system_clock();  // the server limits in real time
  // At most 1 + 5 per 200 ms window, half the server's 12: connections that open at different
  // speeds (ASan, a loaded machine) can bunch arrivals, and the margin must absorb that.
  o.default_limits.rate = 25;
  o.default_limits.burst = 1;
  auto model = h.model(o);
  std::vector<std::future<weft::ChatResponse>> futures;
  for (int i = 0; i < 100; ++i) {
    futures.push_back(asio::co_spawn(h.io, Harness::call(model, ask("n" + std::to_string(i))), asio::use_future));
  }
  h.io.run();
  int ok = 0;
  for (auto& f : futures) ok += f.get().content() == "ok" ? 1 : 0;
  CHECK(ok == 100);
  CHECK(h.server->count_status(429) == 0);
  CHECK(h.server->count_status(200) == 100);
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

TEST_CASE("cancelling the awaiting coroutine aborts a model call with model::error::cancelled") {
  Harness h(R"([{"fault": {"delay_ms": 5000}, "reply": "too late"}])");
  auto model = h.model();
  asio::cancellation_signal signal;
  auto future = asio::co_spawn(h.io, Harness::call(model, ask("x")),
                               asio::bind_cancellation_slot(signal.slot(), asio::use_future));
  asio::steady_timer timer(h.io, 50ms);
  timer.async_wait([&](boost::system::error_code) { signal.emit(asio::cancellation_type::terminal); });
  h.io.run();
  try {
    future.get();
    FAIL("not cancelled");
  } catch (const weft::Error& e) {
    CHECK(e.code() == weft::model::error::cancelled);
  }
}

TEST_CASE("a hung model server fails the call within the model's overall timeout, naming WEFT_MODEL_TIMEOUT") {
  // Every attempt hangs far longer than the call may take; the read timeout alone would allow
  // 120 s per attempt.
  Harness h(R"([{"fault": {"delay_ms": 20000}, "reply": "never", "uses": -1}])");
  weft::OpenAIConfig config;
  config.base_url = h.server->base_url();
  config.api_key = kKey;
  config.model = "fake-gpt";
  config.timeout = 300ms;
  http::ClientOptions o;
  o.proxy = http::ProxySettings{};
  weft::OpenAIChatModel model(h.io.get_executor(), config, o);
  const auto e = h.expect_error(model, ask("x"));
  CHECK(e.code() == http::error::timeout);
  const std::string what = e.what();
  CHECK(what.find("WEFT_MODEL_TIMEOUT") != std::string::npos);
  CHECK(what.find("300 ms") != std::string::npos);
  CHECK(what.find(kKey) == std::string::npos);
}

TEST_CASE("WEFT_MODEL_TIMEOUT sets the model's overall timeout in seconds, and a bad value is refused") {
  auto env = [](const char* value) {
    return [value](std::string_view name) -> std::optional<std::string> {
      if (name == "WEFT_MODEL_TIMEOUT") return std::string(value);
      return std::nullopt;
    };
  };
  CHECK(weft::OpenAIConfig::from_env(env("2.5")).timeout == 2500ms);
  CHECK(weft::OpenAIConfig::from_env(env("0")).timeout == 0ms);
  CHECK(weft::OpenAIConfig::from_env([](std::string_view) { return std::optional<std::string>(); }).timeout ==
        120'000ms);
  try {
    weft::OpenAIConfig::from_env(env("soon"));
    FAIL("a bad WEFT_MODEL_TIMEOUT was accepted");
  } catch (const weft::Error& e) {
    CHECK(e.code() == weft::model::error::invalid_config);
    CHECK(std::string(e.what()).find("WEFT_MODEL_TIMEOUT") != std::string::npos);
  }
}
