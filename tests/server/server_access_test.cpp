// SPDX-License-Identifier: MIT
// weft::server's front door, on an in-process server on loopback: the API key, the bind address,
// malformed and oversized requests, connection caps and timeouts, LangGraph-shaped 404/405.

#include "support.hpp"

#include <doctest/doctest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

namespace json = boost::json;
using server_test::count_threads;
using server_test::detail_of;
using server_test::new_thread;
using server_test::TestServer;

TEST_CASE("GET /ok answers without a key and every other route needs the key") {
  weft::server::ServerOptions options;
  options.api_key = "s3cret-key";
  TestServer s(options);
  CHECK(s.get("/ok").status == 200);
  auto none = s.get("/info");
  CHECK(none.status == 401);
  CHECK(detail_of(none).find("API key") != std::string::npos);
  CHECK(s.get("/info", {{"x-api-key", "s3cret-kez"}}).status == 401);
  CHECK(s.get("/info", {{"x-api-key", "s3cret-key-longer"}}).status == 401);
  CHECK(s.get("/info", {{"x-api-key", "s3cret-key"}}).status == 200);
  CHECK(s.get("/info", {{"authorization", "Bearer s3cret-key"}}).status == 200);
  CHECK(s.get("/info", {{"authorization", "Bearer wrong"}}).status == 401);
  // A refused write creates nothing.
  CHECK(s.post("/threads", json::object(), {{"x-api-key", "nope"}}).status == 401);
  CHECK(s.post("/threads/count", json::object(), {{"x-api-key", "s3cret-key"}}).json == json::value(0));
}

TEST_CASE("a server without a key refuses a non-loopback address") {
  weft::server::ServerOptions options;
  options.host = "0.0.0.0";
  CHECK_THROWS_WITH_AS(TestServer{options}, doctest::Contains("without an API key"), std::invalid_argument);
}

TEST_CASE("malformed JSON and mistyped fields are 422 with a detail and create nothing") {
  TestServer s;
  auto bad = s.request("POST", "/threads", "{not json");
  CHECK(bad.status == 422);
  CHECK(detail_of(bad).find("not valid JSON") != std::string::npos);
  CHECK(s.request("POST", "/threads", "[1,2]").status == 422);
  CHECK(s.post("/threads", json::object{{"metadata", "x"}}).status == 422);
  CHECK(s.post("/threads", json::object{{"if_exists", "maybe"}}).status == 422);
  CHECK(count_threads(s) == 0);
  const std::string t = new_thread(s);
  CHECK(s.post("/threads/" + t + "/runs/wait", json::object{{"assistant_id", "steps"}, {"input", "text"}}).status ==
        422);
  CHECK(s.post("/threads/" + t + "/runs/wait",
               json::object{{"assistant_id", "steps"}, {"input", json::object{{"word", 5}}}})
            .status == 422);
  CHECK(s.post("/threads/" + t + "/runs/wait", json::object{{"assistant_id", "steps"}, {"stream_mode", "tokens"}})
            .status == 422);
  CHECK(s.post("/threads/" + t + "/runs", json::object{{"assistant_id", "steps"}, {"interrupt_before", "nowhere"}})
            .status == 422);
  CHECK(s.get("/threads/" + t + "/runs").json.as_array().empty());
  CHECK(s.get("/threads/" + t + "/state").json.at("checkpoint").at("checkpoint_id").is_null());
}

TEST_CASE("an oversized body is answered 413 and the server keeps serving") {
  weft::server::ServerOptions options;
  options.body_limit = 1024;
  TestServer s(options);
  json::object big{{"metadata", json::object{{"pad", std::string(4096, 'x')}}}};
  auto r = s.post("/threads", big);
  CHECK(r.status == 413);
  CHECK(detail_of(r).find("exceeds the limit of 1024 bytes") != std::string::npos);
  CHECK(s.get("/ok").status == 200);
  CHECK(count_threads(s) == 0);
}

TEST_CASE("a client over its connection cap is answered 429") {
  weft::server::ServerOptions options;
  options.max_connections_per_client = 1;
  TestServer s(options);
  CHECK(s.get("/ok").status == 200);  // keeps its connection open
  weft::sandbox::http::Client second("127.0.0.1", s.port());
  auto refused = second.request("GET", "/ok");
  CHECK(refused.status == 429);
  CHECK(refused.body.find("too many open connections") != std::string::npos);
  CHECK(s.get("/ok").status == 200);
}

TEST_CASE("a client that sends half a request is disconnected after the io timeout") {
  weft::server::ServerOptions options;
  options.io_timeout = std::chrono::seconds(1);
  TestServer s(options);
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), s.port()});
  boost::asio::write(socket, boost::asio::buffer(std::string("GET /ok HTTP/1.1\r\nHost: x\r\n")));
  char byte = 0;
  boost::system::error_code ec;
  const std::size_t n = socket.read_some(boost::asio::buffer(&byte, 1), ec);  // blocks until the server closes
  CHECK(n == 0);
  CHECK(ec == boost::asio::error::eof);
  CHECK(s.get("/ok").status == 200);
}

TEST_CASE("unknown routes, methods, threads and assistants are LangGraph-shaped 404/405") {
  TestServer s;
  CHECK(s.get("/nowhere").status == 404);
  CHECK(s.request("PUT", "/threads").status == 405);
  auto thread = s.get("/threads/00000000-0000-0000-0000-000000000000");
  CHECK(thread.status == 404);
  CHECK(detail_of(thread) == "Thread '00000000-0000-0000-0000-000000000000' not found");
  CHECK(s.post("/threads/missing/runs/wait", json::object{{"assistant_id", "steps"}}).status == 404);
  const std::string t = new_thread(s);
  CHECK(s.post("/threads/" + t + "/runs/wait", json::object{{"assistant_id", "ghost"}}).status == 404);
  CHECK(s.post("/threads/" + t + "/runs/wait", json::object{{"input", json::object()}}).status == 422);
  // if_not_exists=create makes the thread.
  auto created =
      s.post("/threads/fresh-one/runs/wait", json::object{{"assistant_id", "steps"}, {"if_not_exists", "create"}});
  CHECK(created.status == 200);
  CHECK(s.get("/threads/fresh-one").status == 200);
}
