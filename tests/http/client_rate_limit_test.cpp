// SPDX-License-Identifier: MIT
// The HTTP client under rate limits: 429/420/423 waits from every header form, the rate-limit
// budget, jitter, and the token bucket and per-host concurrency cap.

#include "tests/http/client_support.hpp"

#include <doctest/doctest.h>

using namespace client_test;

TEST_CASE("a 429 with Retry-After in seconds is retried after exactly that wait, and the wait is reported") {
  auto answers = std::make_shared<Answers>();
  answers->answers = {status(429, {{"Retry-After", "7"}}), status(200)};
  auto server = serve(answers);
  Fixture f;
  http::Client client(f.io.get_executor(), f.options());
  const auto res = weft::test::run_sync(f.io, send(client, get(server->base_url() + "/x")));
  CHECK(res.status == 200);
  CHECK(res.attempts == 2);
  CHECK(sleeps_ms(*f.clock) == std::vector<std::chrono::milliseconds>{7000ms});
  REQUIRE(f.events.size() == 1);
  CHECK(f.events[0].kind == http::RateLimitEvent::Kind::retry);
  CHECK(f.events[0].wait == 7000ms);
  CHECK(f.events[0].status == 429);
  const std::string line = f.events[0].to_string();
  CHECK(line.find("waiting 7000 ms for 127.0.0.1:" + std::to_string(server->port())) != std::string::npos);
  CHECK(line.find("Retry-After: 7") != std::string::npos);
}

TEST_CASE("a 429 with Retry-After as an HTTP date waits until that date") {
  Fixture f;
  auto answers = std::make_shared<Answers>();
  answers->answers = {status(429, {{"Retry-After", http::format_http_date(f.clock->now() + 30s)}}), status(200)};
  auto server = serve(answers);
  http::Client client(f.io.get_executor(), f.options());
  CHECK(weft::test::run_sync(f.io, send(client, get(server->base_url() + "/x"))).status == 200);
  CHECK(sleeps_ms(*f.clock) == std::vector<std::chrono::milliseconds>{30'000ms});
}

TEST_CASE("a 429 with RateLimit-Reset waits that many seconds (delta, not an epoch)") {
  auto answers = std::make_shared<Answers>();
  answers->answers = {status(429, {{"RateLimit-Remaining", "0"}, {"RateLimit-Reset", "3"}}), status(200)};
  auto server = serve(answers);
  Fixture f;
  http::Client client(f.io.get_executor(), f.options());
  CHECK(weft::test::run_sync(f.io, send(client, get(server->base_url() + "/x"))).status == 200);
  CHECK(sleeps_ms(*f.clock) == std::vector<std::chrono::milliseconds>{3000ms});
}

TEST_CASE("a 429 with a structured RateLimit field waits its t parameter") {
  auto answers = std::make_shared<Answers>();
  answers->answers = {status(429, {{"RateLimit", "\"default\";r=0;t=4"}}), status(200)};
  auto server = serve(answers);
  Fixture f;
  http::Client client(f.io.get_executor(), f.options());
  CHECK(weft::test::run_sync(f.io, send(client, get(server->base_url() + "/x"))).status == 200);
  CHECK(sleeps_ms(*f.clock) == std::vector<std::chrono::milliseconds>{4000ms});
}

TEST_CASE("420 and 423 are retried like 429") {
  auto answers = std::make_shared<Answers>();
  answers->answers = {status(420, {{"Retry-After", "1"}}), status(423, {{"Retry-After", "2"}}), status(200)};
  auto server = serve(answers);
  Fixture f;
  http::Client client(f.io.get_executor(), f.options());
  CHECK(weft::test::run_sync(f.io, send(client, get(server->base_url() + "/x"))).attempts == 3);
  CHECK(sleeps_ms(*f.clock) == std::vector<std::chrono::milliseconds>{1000ms, 2000ms});
}

TEST_CASE("429s do not use up the attempts kept for failures: ten of them, then the answer") {
  auto answers = std::make_shared<Answers>();
  for (int i = 0; i < 10; ++i) answers->answers.push_back(status(429, {{"Retry-After", "1"}}));
  answers->answers.push_back(status(200));
  auto server = serve(answers);
  Fixture f;
  http::Client client(f.io.get_executor(), f.options());  // max_attempts 3
  const auto res = weft::test::run_sync(f.io, send(client, get(server->base_url() + "/x")));
  CHECK(res.status == 200);
  CHECK(res.attempts == 11);
  CHECK(sleeps_ms(*f.clock) == std::vector<std::chrono::milliseconds>(10, 1000ms));
}

TEST_CASE("a request allowed a single attempt still waits out a 429, which the server did not process") {
  auto answers = std::make_shared<Answers>();
  answers->answers = {status(429, {{"Retry-After", "2"}}), status(429, {{"Retry-After", "2"}}), status(200)};
  auto server = serve(answers);
  Fixture f;
  http::Client client(f.io.get_executor(), f.options());
  auto request = get(server->base_url() + "/x");
  request.max_attempts = 1;
  CHECK(weft::test::run_sync(f.io, send(client, request)).status == 200);
  CHECK(sleeps_ms(*f.clock) == std::vector<std::chrono::milliseconds>{2000ms, 2000ms});
}

TEST_CASE("rate-limited answers give up after max_rate_limit_wait, naming it") {
  auto answers = std::make_shared<Answers>();
  answers->answers = {status(429, {{"Retry-After", "1"}}, R"({"error":"slow down"})")};
  auto server = serve(answers);
  Fixture f;
  auto options = f.options();
  options.retry.max_rate_limit_wait = 2500ms;
  http::Client client(f.io.get_executor(), options);
  const auto e = expect_error(f.io, client, get(server->base_url() + "/x"));
  CHECK(e.code() == http::error::rate_limited);
  CHECK(e.status() == 429);
  CHECK(e.attempts() == 3);
  CHECK(std::string(e.what()).find("max_rate_limit_wait") != std::string::npos);
  CHECK(sleeps_ms(*f.clock) == std::vector<std::chrono::milliseconds>{1000ms, 1000ms});
}

TEST_CASE("a rate-limited answer saying retry now is backed off, not spun on") {
  auto answers = std::make_shared<Answers>();
  answers->answers = {status(429, {{"Retry-After", "0"}}), status(429, {{"Retry-After", "0"}}), status(200)};
  auto server = serve(answers);
  Fixture f;
  http::Client client(f.io.get_executor(), f.options());
  CHECK(weft::test::run_sync(f.io, send(client, get(server->base_url() + "/x"))).status == 200);
  CHECK(sleeps_ms(*f.clock) == std::vector<std::chrono::milliseconds>{500ms, 1000ms});
}

TEST_CASE("retry-after-ms is read, and wins over Retry-After") {
  auto answers = std::make_shared<Answers>();
  answers->answers = {status(429, {{"retry-after-ms", "1500"}, {"Retry-After", "7"}}), status(200)};
  auto server = serve(answers);
  Fixture f;
  http::Client client(f.io.get_executor(), f.options());
  CHECK(weft::test::run_sync(f.io, send(client, get(server->base_url() + "/x"))).status == 200);
  CHECK(sleeps_ms(*f.clock) == std::vector<std::chrono::milliseconds>{1500ms});
  REQUIRE_FALSE(f.events.empty());
  CHECK(f.events[0].reason.find("retry-after-ms: 1500") != std::string::npos);
}

TEST_CASE("requests told the same Retry-After are spread by the jitter, never sent sooner") {
  auto answers = std::make_shared<Answers>();
  answers->answers = {status(429, {{"Retry-After", "2"}}), status(200)};
  auto server = serve(answers);
  Fixture f;
  auto options = f.options();
  options.retry.jitter = 0.5;
  http::Client client(f.io.get_executor(), options);
  CHECK(weft::test::run_sync(f.io, send(client, get(server->base_url() + "/x"))).status == 200);
  const auto sleeps = sleeps_ms(*f.clock);
  REQUIRE(sleeps.size() == 1);
  CHECK(sleeps[0] >= 2000ms);
  CHECK(sleeps[0] <= 2500ms);
  // And the client's public rule for callers that resend themselves is the same.
  const auto delay = client.retry_delay(1, 2000ms);
  CHECK(delay >= 2000ms);
  CHECK(delay <= 2500ms);
}

TEST_CASE("a 429 that says the quota and window lowers the bucket's rate to the server's pace") {
  auto answers = std::make_shared<Answers>();
  answers->answers = {
      status(429,
             {{"Retry-After", "1"}, {"RateLimit-Limit", "2"}, {"RateLimit-Remaining", "0"}, {"RateLimit-Reset", "1"}}),
      status(200)};
  auto server = serve(answers);
  Fixture f;
  auto options = f.options();
  options.default_limits.rate = 10;
  options.default_limits.burst = 10;
  http::Client client(f.io.get_executor(), options);
  for (int i = 0; i < 6; ++i) weft::test::run_sync(f.io, send(client, get(server->base_url() + "/x")));
  // 10/s would let all of them through at once; the server's 2 per second spaces them 500 ms.
  int paced = 0;
  for (const auto& e : f.events) {
    if (e.kind == http::RateLimitEvent::Kind::token_bucket && e.wait == 500ms) ++paced;
  }
  CHECK(paced >= 3);
  bool told = false;
  for (const auto& e : f.events) told = told || e.reason.find("pace lowered to 2 requests/s") != std::string::npos;
  CHECK(told);
}

TEST_CASE("the token bucket spaces requests at its rate") {
  auto answers = std::make_shared<Answers>();
  answers->answers = {status(200)};
  auto server = serve(answers);
  Fixture f;
  auto options = f.options();
  options.default_limits.rate = 10;  // one per 100 ms
  options.default_limits.burst = 1;
  http::Client client(f.io.get_executor(), options);
  for (int i = 0; i < 5; ++i) weft::test::run_sync(f.io, send(client, get(server->base_url() + "/x")));
  CHECK(sleeps_ms(*f.clock) == std::vector<std::chrono::milliseconds>(4, 100ms));
  CHECK(f.events.size() == 4);
  CHECK(f.events.at(0).kind == http::RateLimitEvent::Kind::token_bucket);
  CHECK(client.stats().local_waits == 4);
}

TEST_CASE("the bucket learns from RateLimit-Remaining 0: the next request waits for the reset") {
  auto answers = std::make_shared<Answers>();
  answers->answers = {status(200, {{"RateLimit-Remaining", "0"}, {"RateLimit-Reset", "2"}}), status(200)};
  auto server = serve(answers);
  Fixture f;
  http::Client client(f.io.get_executor(), f.options());
  weft::test::run_sync(f.io, send(client, get(server->base_url() + "/x")));
  CHECK(f.clock->sleeps().empty());
  weft::test::run_sync(f.io, send(client, get(server->base_url() + "/x")));
  CHECK(sleeps_ms(*f.clock) == std::vector<std::chrono::milliseconds>{2000ms});
  REQUIRE(f.events.size() == 1);
  CHECK(f.events[0].kind == http::RateLimitEvent::Kind::server_window);
}

TEST_CASE("the per-host concurrency cap bounds the requests in flight") {
  std::atomic<int> in_flight{0};
  std::atomic<int> peak{0};
  shttp::Router router;
  router.add("*", "/{*rest}", [&](shttp::Request&) {
    const int now = ++in_flight;
    int seen = peak.load();
    while (now > seen && !peak.compare_exchange_weak(seen, now)) {}
    std::this_thread::sleep_for(30ms);
    --in_flight;
    return shttp::Response::json(200, "{}");
  });
  shttp::ServerOptions server_options;
  server_options.threads = 6;
  shttp::Server server(std::move(router), server_options);
  server.start();
  Fixture f;
  auto options = f.options();
  options.default_limits.max_concurrency = 2;
  http::Client client(f.io.get_executor(), options);
  std::vector<std::future<http::Response>> futures;
  for (int i = 0; i < 8; ++i) {
    futures.push_back(asio::co_spawn(f.io, send(client, get(server.base_url() + "/x")), asio::use_future));
  }
  f.io.run();
  for (auto& fut : futures) CHECK(fut.get().status == 200);
  CHECK(peak.load() <= 2);
  CHECK(peak.load() >= 1);
  bool queued = false;
  for (const auto& e : f.events) queued = queued || e.kind == http::RateLimitEvent::Kind::concurrency;
  CHECK(queued);
}
