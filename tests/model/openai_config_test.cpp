// SPDX-License-Identifier: MIT
// OpenAIChatModel's configuration from the environment (OPENAI_BASE_URL, OPENAI_API_KEY,
// WEFT_MODEL, WEFT_MODEL_TIMEOUT), and the key kept out of every error and event.

#include "tests/model/openai_harness.hpp"

#include <doctest/doctest.h>

using namespace openai_test;

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
