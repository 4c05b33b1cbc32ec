// SPDX-License-Identifier: MIT
// The HTTP client's failures: 5xx backoff, dropped and refused connections, timeouts,
// cancellation, and the errors it gives up with.

#include "tests/http/client_support.hpp"

#include <doctest/doctest.h>

using namespace client_test;

TEST_CASE("5xx answers are retried with exponential backoff when the server gives no wait") {
  auto answers = std::make_shared<Answers>();
  answers->answers = {status(500), status(503), status(200)};
  auto server = serve(answers);
  Fixture f;
  http::Client client(f.io.get_executor(), f.options());
  const auto res = weft::test::run_sync(f.io, send(client, get(server->base_url() + "/x")));
  CHECK(res.status == 200);
  CHECK(res.attempts == 3);
  CHECK(sleeps_ms(*f.clock) == std::vector<std::chrono::milliseconds>{500ms, 1000ms});
}

TEST_CASE("jitter shortens the backoff by at most its fraction and never lengthens it") {
  auto answers = std::make_shared<Answers>();
  answers->answers = {status(500), status(500), status(500), status(500), status(200)};
  auto server = serve(answers);
  Fixture f;
  auto options = f.options();
  options.retry.jitter = 0.5;
  options.retry.max_attempts = 5;
  http::Client client(f.io.get_executor(), options);
  CHECK(weft::test::run_sync(f.io, send(client, get(server->base_url() + "/x"))).status == 200);
  const auto sleeps = sleeps_ms(*f.clock);
  REQUIRE(sleeps.size() == 4);
  for (std::size_t i = 0; i < sleeps.size(); ++i) {
    const auto full = 500ms * (1 << i);
    CHECK(sleeps[i] <= full);
    CHECK(sleeps[i] >= full / 2);
  }
}

TEST_CASE("the client gives up after max attempts with an error naming host, status and attempts") {
  auto answers = std::make_shared<Answers>();
  answers->answers = {status(503, {}, R"({"error":"down"})")};
  auto server = serve(answers);
  Fixture f;
  http::Client client(f.io.get_executor(), f.options());
  const auto e = expect_error(f.io, client, get(server->base_url() + "/v1/thing"));
  CHECK(e.code() == http::error::server_error);
  CHECK(e.status() == 503);
  CHECK(e.attempts() == 3);
  const std::string what = e.what();
  CHECK(what.find("127.0.0.1:" + std::to_string(server->port())) != std::string::npos);
  CHECK(what.find("503") != std::string::npos);
  CHECK(what.find("3 attempts") != std::string::npos);
  CHECK(what.find("/v1/thing") != std::string::npos);
  CHECK(answers->next == 3);
  REQUIRE_FALSE(f.events.empty());
  CHECK(f.events.back().kind == http::RateLimitEvent::Kind::give_up);
}

TEST_CASE("a request past its overall timeout fails with timeout, however the server trickles") {
  shttp::Router router;
  router.add("*", "/{*rest}", [](shttp::Request&) {
    shttp::Response res = shttp::Response::text(200, "");
    std::vector<shttp::Chunk> chunks;
    for (int i = 0; i < 50; ++i) chunks.push_back(shttp::Chunk{"x", 100ms});  // a byte every 100 ms: never silent
    res.chunks = std::move(chunks);
    return res;
  });
  shttp::Server server(std::move(router));
  server.start();
  asio::io_context io;
  http::ClientOptions options;
  options.read_timeout = 2000ms;
  http::Client client(io.get_executor(), options);
  auto request = get(server.base_url() + "/x");
  request.timeout = 400ms;
  const auto started = std::chrono::steady_clock::now();
  const auto e = expect_error(io, client, request);
  (void)started;
  CHECK(e.code() == http::error::timeout);
  CHECK(std::string(e.what()).find("overall timeout of 400 ms") != std::string::npos);
}

TEST_CASE("a 5xx that never clears gives up with server_error") {
  auto answers = std::make_shared<Answers>();
  answers->answers = {status(502)};
  auto server = serve(answers);
  Fixture f;
  http::Client client(f.io.get_executor(), f.options());
  const auto e = expect_error(f.io, client, get(server->base_url() + "/x"));
  CHECK(e.code() == http::error::server_error);
  CHECK(e.attempts() == 3);
}

TEST_CASE("a server asking to wait longer than max_wait makes the client give up at once") {
  auto answers = std::make_shared<Answers>();
  answers->answers = {status(429, {{"Retry-After", "3600"}})};
  auto server = serve(answers);
  Fixture f;
  http::Client client(f.io.get_executor(), f.options());
  const auto e = expect_error(f.io, client, get(server->base_url() + "/x"));
  CHECK(e.code() == http::error::rate_limited);
  CHECK(e.attempts() == 1);
  CHECK(std::string(e.what()).find("max_wait") != std::string::npos);
  CHECK(f.clock->sleeps().empty());
}

TEST_CASE("a dropped connection is retried and the request then succeeds") {
  auto answers = std::make_shared<Answers>();
  shttp::Response drop;
  drop.drop = true;
  answers->answers = {drop, status(200)};
  auto server = serve(answers);
  Fixture f;
  http::Client client(f.io.get_executor(), f.options());
  const auto res = weft::test::run_sync(f.io, send(client, get(server->base_url() + "/x")));
  CHECK(res.status == 200);
  CHECK(res.attempts == 2);
}

TEST_CASE("a connection that keeps dropping gives up with connection_dropped") {
  auto answers = std::make_shared<Answers>();
  shttp::Response drop;
  drop.drop = true;
  answers->answers = {drop};
  auto server = serve(answers);
  Fixture f;
  http::Client client(f.io.get_executor(), f.options());
  const auto e = expect_error(f.io, client, get(server->base_url() + "/x"));
  CHECK(e.code() == http::error::connection_dropped);
  CHECK(e.attempts() == 3);
}

TEST_CASE("a refused connection gives up with connect_failed") {
  std::uint16_t port = 0;
  {
    asio::io_context tmp;
    asio::ip::tcp::acceptor a(tmp, asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    port = a.local_endpoint().port();
  }
  Fixture f;
  http::Client client(f.io.get_executor(), f.options());
  const auto e = expect_error(f.io, client, get("http://127.0.0.1:" + std::to_string(port) + "/x"));
  CHECK(e.code() == http::error::connect_failed);
  CHECK(e.attempts() == 3);
}

TEST_CASE("a server slower than the read timeout fails with timeout") {
  auto answers = std::make_shared<Answers>();
  auto slow = status(200);
  slow.delay = 3s;
  answers->answers = {slow};
  auto server = serve(answers);
  Fixture f;
  auto options = f.options();
  options.read_timeout = 100ms;
  options.retry.max_attempts = 1;
  http::Client client(f.io.get_executor(), options);
  const auto e = expect_error(f.io, client, get(server->base_url() + "/x"));
  CHECK(e.code() == http::error::timeout);
}

TEST_CASE("cancelling the awaiting coroutine aborts a request in flight") {
  auto answers = std::make_shared<Answers>();
  auto slow = status(200);
  slow.delay = 5s;
  answers->answers = {slow};
  auto server = serve(answers);
  Fixture f;
  http::Client client(f.io.get_executor(), f.options());
  CHECK(time_to_cancel(f.io, client, server->base_url() + "/x", 50ms) < 4s);
}

TEST_CASE("cancelling a request waiting to retry aborts the wait") {
  auto answers = std::make_shared<Answers>();
  answers->answers = {status(503, {{"Retry-After", "30"}})};
  auto server = serve(answers);
  asio::io_context io;
  http::ClientOptions options;  // the real clock: the 30 s wait must be cut short
  options.retry.max_attempts = 3;
  http::Client client(io.get_executor(), options);
  CHECK(time_to_cancel(io, client, server->base_url() + "/x", 100ms) < 20s);
}
