// SPDX-License-Identifier: MIT
// Load: 200 clients at once, each on its own connection, stream a run of its own thread over SSE.
// No event may be lost: every stream is complete (metadata, both updates, the custom event, the
// values), numbered 1..n without a gap, and ends with the run's final values.

#include "support.hpp"

#include <doctest/doctest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace json = boost::json;
using server_test::parse_sse;
using server_test::TestServer;

namespace {

constexpr int kClients = 200;

// One blocking client: POST the stream request, read until the server closes the stream.
std::string stream_once(std::uint16_t port, const std::string& thread_id) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  const std::string body = json::serialize(json::object{{"assistant_id", "steps"},
                                                        {"if_not_exists", "create"},
                                                        {"input", json::object{{"word", thread_id}}},
                                                        {"stream_mode", json::array{"values", "updates", "custom"}}});
  const std::string request = "POST /threads/" + thread_id + "/runs/stream HTTP/1.1\r\nHost: x\r\n" +
                              "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                              "\r\n\r\n" + body;
  boost::asio::write(socket, boost::asio::buffer(request));
  std::string got;
  boost::system::error_code ec;
  boost::asio::read(socket, boost::asio::dynamic_buffer(got), ec);  // until EOF
  return got;
}

}  // namespace

TEST_CASE("200 concurrent SSE clients each get their run's every event and its final values") {
  weft::server::ServerOptions options;
  options.max_connections_per_client = kClients + 8;  // every client is 127.0.0.1
  TestServer s(options);
  // The same stream without load: the event names every client must get, in this order.
  const std::string alone = stream_once(s.port(), "alone");
  std::vector<std::string> expected;
  for (const auto& e : parse_sse(alone.substr(alone.find("\r\n\r\n") + 4))) expected.push_back(e.event);
  REQUIRE(expected.size() >= 6);
  std::vector<std::string> replies(kClients);
  {
    std::vector<std::thread> clients;
    for (int i = 0; i < kClients; ++i)
      clients.emplace_back([&, i] { replies[i] = stream_once(s.port(), "load-" + std::to_string(i)); });
    for (auto& c : clients) c.join();
  }
  int complete = 0;
  for (int i = 0; i < kClients; ++i) {
    const std::string& reply = replies[i];
    INFO("client " << i << ": " << reply);
    REQUIRE(reply.starts_with("HTTP/1.1 200"));
    auto events = parse_sse(reply.substr(reply.find("\r\n\r\n") + 4));
    for (std::size_t k = 0; k < events.size(); ++k) CHECK(events[k].id == std::to_string(k + 1));
    std::vector<std::string> names;
    for (const auto& e : events) names.push_back(e.event);
    CHECK(names == expected);
    CHECK(std::count(names.begin(), names.end(), "updates") == 2);
    CHECK(std::count(names.begin(), names.end(), "custom") == 1);
    CHECK(std::count(names.begin(), names.end(), "error") == 0);
    REQUIRE(events.back().event == "values");
    json::value last = json::parse(events.back().data);
    CHECK(last.at("log") == json::array{"first", "second"});
    CHECK(last.at("input").at("word") == json::value("load-" + std::to_string(i)));
    ++complete;
  }
  CHECK(complete == kClients);
  CHECK(s.post("/threads/count", json::object()).json == json::value(kClients + 1));
}
