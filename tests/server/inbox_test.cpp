// SPDX-License-Identifier: MIT
// The approval inbox's server side (server/detail/routes_inbox.cpp): the page's files are served
// from the binary without the API key, everything with data needs it, and the change feed says
// "changed" once at start, again when a thread starts waiting, and ends when the server stops.
// The page itself is driven in a real browser by tests/npm/inbox_browser_test.mjs.
#include "tests/server/support.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <doctest/doctest.h>

#include <regex>

namespace json = boost::json;
using server_test::TestServer;

namespace {

const weft::sandbox::http::Fields kKey = {{"x-api-key", "inbox-key"}};

weft::server::ServerOptions keyed() {
  weft::server::ServerOptions options;
  options.api_key = "inbox-key";
  return options;
}

// A raw connection following GET /inbox/changes; reads with a deadline so a broken feed fails
// the case instead of hanging it.
class ChangeFeed {
 public:
  ChangeFeed(std::uint16_t port, const std::string& key) : socket_(io_) {
    socket_.connect({boost::asio::ip::make_address("127.0.0.1"), port});
    const std::string request = "GET /inbox/changes HTTP/1.1\r\nHost: x\r\nx-api-key: " + key + "\r\n\r\n";
    boost::asio::write(socket_, boost::asio::buffer(request));
  }

  /// Reads until `count` "event: changed" frames have arrived in total, or `within` passes.
  /// Returns how many have arrived.
  std::size_t await_changes(std::size_t count, std::chrono::milliseconds within) {
    const auto deadline = std::chrono::steady_clock::now() + within;
    while (changes() < count && !closed_) {
      const auto left = deadline - std::chrono::steady_clock::now();
      if (left <= std::chrono::milliseconds(0)) break;
      read_for(std::chrono::duration_cast<std::chrono::milliseconds>(left));
    }
    return changes();
  }
  /// Reads until the server closes the connection or `within` passes; true when it closed.
  bool await_close(std::chrono::milliseconds within) {
    const auto deadline = std::chrono::steady_clock::now() + within;
    while (!closed_ && std::chrono::steady_clock::now() < deadline)
      read_for(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
    return closed_;
  }
  const std::string& text() const { return text_; }

 private:
  std::size_t changes() const {
    std::size_t n = 0;
    for (std::size_t at = text_.find("event: changed\n"); at != std::string::npos;
         at = text_.find("event: changed\n", at + 1))
      ++n;
    return n;
  }
  void read_for(std::chrono::milliseconds budget) {
    socket_.async_read_some(boost::asio::buffer(buffer_), [this](boost::system::error_code ec, std::size_t n) {
      text_.append(buffer_, n);
      if (ec && ec != boost::asio::error::operation_aborted) closed_ = true;  // aborted: our own deadline
    });
    io_.restart();
    io_.run_for(budget);
    if (!io_.stopped()) {
      socket_.cancel();
      io_.restart();
      io_.run();
    }
  }

  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  char buffer_[4096];
  std::string text_;
  bool closed_ = false;
};

}  // namespace

TEST_CASE("the inbox page and its files load without the API key, from the binary, with a strict policy") {
  TestServer s(keyed());
  auto page = s.get("/");
  REQUIRE(page.status == 200);
  CHECK(page.header("content-type").starts_with("text/html"));
  CHECK(page.header("content-security-policy").find("default-src 'none'") != std::string::npos);
  CHECK(page.header("x-content-type-options") == "nosniff");
  CHECK(page.body.find("<title>Approval inbox") != std::string::npos);
  // Every file the page and its modules load is served, with its type.
  std::vector<std::string> files = {"/inbox/inbox.css", "/inbox/inbox.js"};
  const std::regex reference(R"re((?:href|src)="(/inbox/[a-z_]+\.(?:js|css))"|from "(/inbox/[a-z_]+\.js)")re");
  for (std::size_t i = 0; i < files.size(); ++i) {
    auto file = s.get(files[i]);
    INFO(files[i]);
    REQUIRE(file.status == 200);
    CHECK(file.header("content-type").starts_with(files[i].ends_with(".css") ? "text/css" : "text/javascript"));
    CHECK(file.body.starts_with("/* SPDX") == files[i].ends_with(".css"));
    for (std::sregex_iterator m(file.body.begin(), file.body.end(), reference), end; m != end; ++m) {
      const std::string found = (*m)[1].matched ? (*m)[1].str() : (*m)[2].str();
      if (std::find(files.begin(), files.end(), found) == files.end()) files.push_back(found);
    }
  }
  CHECK(files.size() >= 4);  // inbox.css, inbox.js and the modules it imports
}

TEST_CASE("the inbox's data and change feed need the API key; unknown inbox files are not served") {
  TestServer s(keyed());
  CHECK(s.get("/inbox/changes").status == 401);
  CHECK(s.get("/inbox/changes", {{"x-api-key", "wrong"}}).status == 401);
  CHECK(s.post("/threads/search", json::object{{"status", "interrupted"}}).status == 401);
  CHECK(s.get("/inbox/secrets.js").status == 401);  // not a page file: asked for the key first
  CHECK(s.get("/inbox/secrets.js", kKey).status == 404);
  CHECK(s.get("/inbox/inbox.html", kKey).status == 404);  // the page is served at / only
  CHECK(s.request("POST", "/", "{}").status == 401);
  CHECK(s.request("POST", "/", "{}", kKey).status == 405);
}

TEST_CASE("the change feed says changed at once, again when a thread starts waiting, and not while nothing changes") {
  TestServer s(keyed());
  ChangeFeed feed(s.port(), "inbox-key");
  REQUIRE(feed.await_changes(1, std::chrono::seconds(10)) == 1);
  CHECK(feed.text().starts_with("HTTP/1.1 200"));
  CHECK(feed.text().find("text/event-stream") != std::string::npos);
  CHECK(feed.await_changes(2, std::chrono::milliseconds(800)) == 1);  // nothing happened
  auto waiting = s.post(
      "/threads/inbox-t/runs/wait",
      json::object{{"assistant_id", "review"}, {"input", json::object{{"word", "x"}}}, {"if_not_exists", "create"}},
      kKey);
  REQUIRE(waiting.status == 200);
  REQUIRE(waiting.json.as_object().contains("__interrupt__"));
  CHECK(feed.await_changes(2, std::chrono::seconds(10)) >= 2);
  auto listed = s.post("/threads/search", json::object{{"status", "interrupted"}}, kKey);
  REQUIRE(listed.json.as_array().size() == 1);
  // Answering it changes the inbox again.
  const std::size_t before = feed.await_changes(0, std::chrono::milliseconds(0));
  auto answered = s.post("/threads/inbox-t/runs/wait",
                         json::object{{"assistant_id", "review"}, {"command", json::object{{"resume", "yes"}}}}, kKey);
  REQUIRE(answered.status == 200);
  CHECK(feed.await_changes(before + 1, std::chrono::seconds(10)) >= before + 1);
}

TEST_CASE("an open change feed does not hold up the server's stop") {
  auto s = std::make_unique<TestServer>(keyed());
  ChangeFeed feed(s->port(), "inbox-key");
  REQUIRE(feed.await_changes(1, std::chrono::seconds(10)) == 1);
  const auto started = std::chrono::steady_clock::now();
  s->stop();
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
  CHECK(feed.await_close(std::chrono::seconds(5)));
}
