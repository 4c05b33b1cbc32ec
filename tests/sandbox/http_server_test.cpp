// SPDX-License-Identifier: MIT
// The generic loopback server of sandbox/http: routing, keep-alive, HEAD, streaming, faults, stop.

#include <doctest/doctest.h>

#include <stdexcept>
#include <system_error>

#include "sandbox/http/base64.hpp"
#include "sandbox/http/client.hpp"
#include "sandbox/http/server.hpp"
#include "sandbox/http/url.hpp"

namespace sh = weft::sandbox::http;

namespace {

sh::Router demo_router() {
  sh::Router r;
  r.add("GET", "/items/{id}",
        [](sh::Request& req) { return sh::Response::text(200, "item " + std::string(req.param("id"))); });
  r.add("GET", "/items/special", [](sh::Request&) { return sh::Response::text(200, "special"); });
  r.add("GET", "/tree/{kind}/{*rest}", [](sh::Request& req) {
    return sh::Response::text(200, std::string(req.param("kind")) + "|" + std::string(req.param("rest")));
  });
  r.add("POST", "/echo", [](sh::Request& req) {
    auto q = req.query_value("q");
    auto h = req.header("X-Test");
    return sh::Response::text(201, req.body + "|" + std::string(q.value_or("-")) + "|" + std::string(h.value_or("-")));
  });
  r.add("HEAD", "/items/{id}", [](sh::Request&) { return sh::Response::text(200, "0123456789"); });
  r.add("GET", "/sse", [](sh::Request&) {
    sh::Response res;
    res.headers.emplace_back("Content-Type", "text/event-stream");
    res.chunks = std::vector<sh::Chunk>{
        {"data: one\n\n", {}}, {"data: two\n\n", std::chrono::milliseconds(5)}, {"data: [DONE]\n\n", {}}};
    return res;
  });
  r.add("GET", "/cut", [](sh::Request&) {
    sh::Response res;
    res.chunks = std::vector<sh::Chunk>{{"a", {}}, {"b", {}}, {"c", {}}};
    res.drop_after_chunks = 1;
    return res;
  });
  r.add("GET", "/throw", [](sh::Request&) -> sh::Response { throw std::runtime_error("boom"); });
  r.add("GET", "/drop", [](sh::Request&) {
    sh::Response res;
    res.drop = true;
    return res;
  });
  r.set_fallback([](sh::Request& req) { return sh::Response::text(404, "no route for " + req.path); });
  return r;
}

}  // namespace

TEST_CASE("the server routes by method and pattern, preferring literal segments over captures") {
  sh::Server server(demo_router());
  server.start();
  REQUIRE(server.port() != 0);
  sh::Client c("127.0.0.1", server.port());
  CHECK(c.request("GET", "/items/42").body == "item 42");
  CHECK(c.request("GET", "/items/special").body == "special");
  CHECK(c.request("GET", "/items/a%20b").body == "item a b");
  const auto missing = c.request("GET", "/nothing/here");
  CHECK(missing.status == 404);
  CHECK(missing.body == "no route for /nothing/here");
  CHECK(c.request("DELETE", "/items/42").status == 404);
}

TEST_CASE("a catch-all segment captures the rest of the path, decoded segment by segment") {
  sh::Server server(demo_router());
  server.start();
  sh::Client c("127.0.0.1", server.port());
  CHECK(c.request("GET", "/tree/articles/getting-started/how%20to.md").body == "articles|getting-started/how to.md");
  CHECK(c.request("GET", "/tree/articles").status == 404);
}

TEST_CASE("query, headers and body reach the handler and keep-alive serves many requests on one connection") {
  sh::Server server(demo_router());
  server.start();
  sh::Client c("127.0.0.1", server.port());
  for (int i = 0; i < 20; ++i) {
    const auto res = c.request("POST", "/echo?q=a+b%21", "payload", {{"X-Test", "yes"}});
    CHECK(res.status == 201);
    CHECK(res.body == "payload|a b!|yes");
  }
  CHECK(server.requests_served() == 20);
}

TEST_CASE("a HEAD answer carries the length but no body") {
  sh::Server server(demo_router());
  server.start();
  sh::Client c("127.0.0.1", server.port());
  const auto res = c.request("HEAD", "/items/1");
  CHECK(res.status == 200);
  CHECK(res.body.empty());
  CHECK(res.header("Content-Length").value_or("") == "10");
  CHECK(c.request("GET", "/items/2").body == "item 2");  // connection still in sync
}

TEST_CASE("a streamed response arrives chunked and complete") {
  sh::Server server(demo_router());
  server.start();
  sh::Client c("127.0.0.1", server.port());
  const auto res = c.request("GET", "/sse");
  CHECK(res.status == 200);
  CHECK(res.header("Transfer-Encoding").value_or("") == "chunked");
  CHECK(res.body == "data: one\n\ndata: two\n\ndata: [DONE]\n\n");
}

TEST_CASE("a stream cut after some chunks fails the reader") {
  sh::Server server(demo_router());
  server.start();
  sh::Client c("127.0.0.1", server.port());
  CHECK_THROWS_AS(c.request("GET", "/cut"), std::system_error);
  CHECK(c.request("GET", "/items/3").body == "item 3");  // reconnects
}

TEST_CASE("a handler exception becomes a 500 and a dropped response closes the connection unanswered") {
  sh::Server server(demo_router());
  server.start();
  sh::Client c("127.0.0.1", server.port());
  CHECK(c.request("GET", "/throw").status == 500);
  CHECK_THROWS_AS(c.request("GET", "/drop"), std::system_error);
  CHECK(c.request("GET", "/items/4").status == 200);
}

TEST_CASE("the fault plan forces a status, drops connections and injects errors at the given rate") {
  sh::Server server(demo_router());
  server.start();
  sh::Client c("127.0.0.1", server.port());
  sh::FaultPlan plan;
  plan.forced_status = 418;
  plan.forced_body = "teapot";
  server.set_faults(plan);
  auto res = c.request("GET", "/items/1");
  CHECK(res.status == 418);
  CHECK(res.body == "teapot");

  plan = {};
  plan.drop_rate = 1.0;
  server.set_faults(plan);
  CHECK_THROWS_AS(c.request("GET", "/items/1"), std::system_error);

  plan = {};
  plan.error_rate = 0.5;
  plan.seed = 7;
  server.set_faults(plan);
  int errors = 0;
  for (int i = 0; i < 200; ++i) errors += c.request("GET", "/items/1").status == 503 ? 1 : 0;
  CHECK(errors > 40);
  CHECK(errors < 160);

  plan = {};
  plan.latency = std::chrono::milliseconds(1);
  server.set_faults(plan);
  CHECK(c.request("GET", "/items/1").status == 200);
  CHECK(server.faults().latency == std::chrono::milliseconds(1));
}

TEST_CASE("stop closes open connections and the port stops answering") {
  sh::Server server(demo_router(), sh::ServerOptions{.threads = 2});
  server.start();
  const auto port = server.port();
  sh::Client c("127.0.0.1", port);
  CHECK(c.request("GET", "/items/1").status == 200);
  server.stop();
  server.stop();  // idempotent
  CHECK_THROWS_AS(c.request("GET", "/items/1"), std::system_error);
}

TEST_CASE("url helpers decode queries and base64 round-trips credentials") {
  const auto q = sh::parse_query("a=1&b=&c&d=x%2Fy+z");
  REQUIRE(q.size() == 4);
  CHECK(q[0] == std::pair<std::string, std::string>{"a", "1"});
  CHECK(q[2].first == "c");
  CHECK(q[3].second == "x/y z");
  CHECK(sh::percent_decode("%zz%41") == "%zzA");
  CHECK(sh::percent_encode("a b/c") == "a%20b%2Fc");
  for (std::string s : {"", "a", "ab", "abc", "id:key-with:colon"}) {
    CHECK(sh::base64_decode(sh::base64_encode(s)).value_or("<bad>") == s);
  }
  CHECK_FALSE(sh::base64_decode("abc").has_value());
  CHECK(sh::basic_auth("user", "pass") == "Basic dXNlcjpwYXNz");
}
