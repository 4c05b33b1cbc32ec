// SPDX-License-Identifier: MIT
// OpenAIChatModel when the server is in the way: rate limits, 5xx, drops, timeouts, malformed
// answers and cancellation, each a clear model::error.

#include "tests/model/openai_harness.hpp"

#include <doctest/doctest.h>

using namespace openai_test;

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
