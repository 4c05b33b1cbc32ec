// SPDX-License-Identifier: MIT
#pragma once
// The OpenAIChatModel tests' shared setup: the scripted fake LLM (sandbox/fake_llm) on loopback
// and a model pointed at it, on a ManualClock so that retry waits are asserted, not slept.

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

namespace openai_test {

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

inline weft::ChatRequest ask(std::string text) {
  weft::ChatRequest r;
  r.messages.push_back(weft::system_message("You are terse."));
  r.messages.push_back(weft::user_message(text));
  return r;
}

}  // namespace openai_test
