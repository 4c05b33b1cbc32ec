// SPDX-License-Identifier: MIT
// OpenAIChatModel against the fake LLM: a refusal (message.refusal, or streamed refusal deltas)
// comes back as ChatResponse::refusal; sampling fields are sent only when set; the token cap goes
// in the field the model needs (max_completion_tokens for o-series and gpt-5).

#include "engine/clock.hpp"
#include "nodes/model/error.hpp"
#include "nodes/model/openai_chat_model.hpp"
#include "sandbox/fake_llm/server.hpp"
#include "tests/http/run.hpp"

#include <boost/json/parse.hpp>
#include <doctest/doctest.h>

namespace asio = boost::asio;
namespace json = boost::json;
using weft::sandbox::fake_llm::FakeLlm;

namespace {

struct Server {
  explicit Server(const char* script) : fake(json::parse(script)) { fake.start(); }

  weft::ChatResponse complete(
      weft::ChatRequest request, const std::string& model = "fake-gpt",
      weft::OpenAIConfig::TokenLimitField field = weft::OpenAIConfig::TokenLimitField::automatic) {
    weft::OpenAIConfig config;
    config.base_url = fake.base_url();
    config.model = model;
    config.token_limit_field = field;
    weft::http::ClientOptions options;
    options.clock = std::make_shared<weft::ManualClock>();
    weft::OpenAIChatModel chat(io.get_executor(), config, options);
    return weft::test::run(io, call(chat, std::move(request)));
  }
  static asio::awaitable<weft::ChatResponse> call(weft::OpenAIChatModel& m, weft::ChatRequest r) {
    weft::ChatResponse out = co_await m.complete(std::move(r));
    co_return out;
  }
  json::object last_body() const { return json::parse(fake.requests().back().body).as_object(); }

  asio::io_context io;
  FakeLlm fake;
};

weft::ChatRequest ask(std::string text) {
  weft::ChatRequest r;
  r.messages.push_back(weft::user_message(text));
  return r;
}

}  // namespace

TEST_CASE("a refusal comes back as ChatResponse::refusal and stays in the message") {
  Server s(R"([{"reply": {"content": null, "refusal": "I can't help with that."}}])");
  const auto res = s.complete(ask("something bad"));
  REQUIRE(res.refusal.has_value());
  CHECK(*res.refusal == "I can't help with that.");
  CHECK(res.message.at("refusal") == "I can't help with that.");
  CHECK(res.message.at("content").is_null());
  CHECK(res.tool_calls.empty());
}

TEST_CASE("a streamed refusal is assembled from its deltas") {
  Server s(R"([{"reply": {"content": null, "refusal": "I can't help with that."}}])");
  auto request = ask("something bad");
  std::string tokens;
  request.on_token = [&](std::string_view t) { tokens += t; };
  const auto res = s.complete(std::move(request));
  REQUIRE(res.refusal.has_value());
  CHECK(*res.refusal == "I can't help with that.");
  CHECK(res.message.at("refusal") == "I can't help with that.");
  CHECK(tokens.empty());  // a refusal is not answer text
}

TEST_CASE("an ordinary answer has no refusal") {
  Server s(R"(["Fine."])");
  const auto res = s.complete(ask("hi"));
  CHECK_FALSE(res.refusal.has_value());
  CHECK_FALSE(res.message.contains("refusal"));
}

TEST_CASE("temperature and the token cap are absent from the body unless set") {
  Server s(R"(["a", "b", "c", "d"])");
  s.complete(ask("hi"));
  auto body = s.last_body();
  CHECK_FALSE(body.contains("temperature"));
  CHECK_FALSE(body.contains("max_tokens"));
  CHECK_FALSE(body.contains("max_completion_tokens"));

  auto capped = ask("hi");
  capped.max_tokens = 100;
  s.complete(capped);
  CHECK(s.last_body().at("max_tokens") == 100);
  CHECK_FALSE(s.last_body().contains("max_completion_tokens"));

  s.complete(capped, "gpt-5-mini");  // a model that rejects max_tokens
  CHECK(s.last_body().at("max_completion_tokens") == 100);
  CHECK_FALSE(s.last_body().contains("max_tokens"));

  s.complete(capped, "fake-gpt", weft::OpenAIConfig::TokenLimitField::max_completion_tokens);
  CHECK(s.last_body().at("max_completion_tokens") == 100);
}

TEST_CASE("WEFT_TOKEN_LIMIT_FIELD chooses the token field and rejects other values") {
  auto env = [](std::string value) {
    return [value](std::string_view name) -> std::optional<std::string> {
      if (name == "WEFT_TOKEN_LIMIT_FIELD") return value;
      return std::nullopt;
    };
  };
  CHECK(weft::OpenAIConfig::from_env(env("max_completion_tokens")).token_limit_field ==
        weft::OpenAIConfig::TokenLimitField::max_completion_tokens);
  CHECK(weft::OpenAIConfig::from_env(env("max_tokens")).token_limit_field ==
        weft::OpenAIConfig::TokenLimitField::max_tokens);
  CHECK(weft::OpenAIConfig::from_env(env("auto")).token_limit_field == weft::OpenAIConfig::TokenLimitField::automatic);
  CHECK_THROWS_WITH_AS(weft::OpenAIConfig::from_env(env("tokens")),
                       doctest::Contains("WEFT_TOKEN_LIMIT_FIELD='tokens' is not one of"), weft::Error);
}
