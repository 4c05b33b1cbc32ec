// SPDX-License-Identifier: MIT
// The HTTP client's requests and connections: answers returned as they are, keep-alive reuse,
// reconnection, streamed bodies.

#include "tests/http/client_support.hpp"

#include <doctest/doctest.h>

using namespace client_test;

TEST_CASE("a GET returns status, headers and body, and a 404 is returned rather than thrown") {
  auto answers = std::make_shared<Answers>();
  answers->answers = {status(200, {{"X-Thing", "1"}}, R"({"ok":true})"), status(404)};
  auto server = serve(answers);
  Fixture f;
  http::Client client(f.io.get_executor(), f.options());
  const auto ok = weft::test::run_sync(f.io, send(client, get(server->base_url() + "/a?b=1")));
  CHECK(ok.status == 200);
  CHECK(ok.body == R"({"ok":true})");
  CHECK(ok.header("x-thing") == "1");
  CHECK(ok.attempts == 1);
  const auto missing = weft::test::run_sync(f.io, send(client, get(server->base_url() + "/missing")));
  CHECK(missing.status == 404);
  CHECK(missing.attempts == 1);
  CHECK(answers->seen.at(0).target == "/a?b=1");
  CHECK(answers->seen.at(0).header("host") == "127.0.0.1:" + std::to_string(server->port()));
}

TEST_CASE("a POST sends its body and headers") {
  auto answers = std::make_shared<Answers>();
  answers->answers = {status(201)};
  auto server = serve(answers);
  Fixture f;
  http::Client client(f.io.get_executor(), f.options());
  http::Request r = get(server->base_url() + "/v1/x");
  r.method = "POST";
  r.body = R"({"a":1})";
  r.headers = {{"Content-Type", "application/json"}};
  CHECK(weft::test::run_sync(f.io, send(client, r)).status == 201);
  CHECK(answers->seen.at(0).method == "POST");
  CHECK(answers->seen.at(0).body == R"({"a":1})");
  CHECK(answers->seen.at(0).header("content-type") == "application/json");
  CHECK(answers->seen.at(0).header("user-agent") == "weft/0.1");
}

TEST_CASE("a URL that is not absolute http(s) is rejected before any connection") {
  Fixture f;
  http::Client client(f.io.get_executor(), f.options());
  const auto e = expect_error(f.io, client, get("ftp://example.com/x"));
  CHECK(e.code() == http::error::invalid_url);
}

TEST_CASE("keep-alive connections are reused: ten sequential requests open one connection") {
  auto answers = std::make_shared<Answers>();
  answers->answers = {status(200)};
  auto server = serve(answers);
  weft::test::TcpCounter counter(server->port());
  Fixture f;
  http::Client client(f.io.get_executor(), f.options());
  const std::string url = "http://127.0.0.1:" + std::to_string(counter.port()) + "/x";
  bool later_reused = true;
  for (int i = 0; i < 10; ++i) {
    const auto res = weft::test::run_sync(f.io, send(client, get(url)));
    CHECK(res.status == 200);
    if (i > 0) later_reused = later_reused && res.reused_connection;
  }
  CHECK(later_reused);
  CHECK(counter.connections() == 1);
  CHECK(client.stats().connections_opened == 1);
  CHECK(client.stats().connections_reused == 9);
}

TEST_CASE("a server that closes after each answer gets a new connection per request, without errors") {
  auto answers = std::make_shared<Answers>();
  auto closing = status(200);
  closing.close = true;
  answers->answers = {closing};
  auto server = serve(answers);
  weft::test::TcpCounter counter(server->port());
  Fixture f;
  http::Client client(f.io.get_executor(), f.options());
  const std::string url = "http://127.0.0.1:" + std::to_string(counter.port()) + "/x";
  for (int i = 0; i < 3; ++i) CHECK(weft::test::run_sync(f.io, send(client, get(url))).attempts == 1);
  CHECK(counter.connections() == 3);
}

TEST_CASE("a streamed body goes to on_body piece by piece instead of Response::body") {
  auto answers = std::make_shared<Answers>();
  shttp::Response chunked;
  chunked.status = 200;
  chunked.chunks = std::vector<shttp::Chunk>{{"one ", 0ms}, {"two ", 5ms}, {"three", 5ms}};
  answers->answers = {chunked};
  auto server = serve(answers);
  Fixture f;
  http::Client client(f.io.get_executor(), f.options());
  std::string received;
  int calls = 0;
  http::Request r = get(server->base_url() + "/x");
  r.on_body = [&](std::string_view bytes) {
    received += bytes;
    ++calls;
  };
  const auto res = weft::test::run_sync(f.io, send(client, r));
  CHECK(res.body.empty());
  CHECK(received == "one two three");
  CHECK(calls >= 2);
}

TEST_CASE("a stream cut after bytes were delivered fails without a retry") {
  auto answers = std::make_shared<Answers>();
  shttp::Response cut;
  cut.status = 200;
  cut.chunks = std::vector<shttp::Chunk>{{"one ", 0ms}, {"two ", 0ms}, {"three", 0ms}};
  cut.drop_after_chunks = 2;
  answers->answers = {cut, status(200)};
  auto server = serve(answers);
  Fixture f;
  http::Client client(f.io.get_executor(), f.options());
  std::string received;
  http::Request r = get(server->base_url() + "/x");
  r.on_body = [&](std::string_view bytes) { received += bytes; };
  const auto e = expect_error(f.io, client, r);
  CHECK(e.code() == http::error::connection_dropped);
  CHECK(e.attempts() == 1);
  CHECK(received == "one two ");
}

TEST_SUITE("soak") {
  TEST_CASE("a pooled connection the server closed while idle is replaced without counting an attempt") {
    shttp::Router router;
    router.add("*", "/{*rest}", [](shttp::Request&) { return shttp::Response::json(200, "{}"); });
    shttp::ServerOptions server_options;
    server_options.idle_timeout = 1s;
    shttp::Server server(std::move(router), server_options);
    server.start();
    Fixture f;
    http::Client client(f.io.get_executor(), f.options());
    CHECK(weft::test::run_sync(f.io, send(client, get(server.base_url() + "/x"))).status == 200);
    std::this_thread::sleep_for(1500ms);
    const auto res = weft::test::run_sync(f.io, send(client, get(server.base_url() + "/x")));
    CHECK(res.status == 200);
    CHECK(res.attempts == 1);
    CHECK(client.stats().connections_opened == 2);
  }
}
