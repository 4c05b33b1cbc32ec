// SPDX-License-Identifier: MIT
// Crisp writes against a scripted Crisp-compatible server with a ManualClock: their retries wait
// as the HTTP layer says (Retry-After, RateLimit-Reset; 429s waited out without spending the
// write's attempts), and nothing a server echoes (the key, identifier:key, their base64) gets out.

#include "nodes/crisp/client.hpp"
#include "nodes/crisp/error.hpp"
#include "nodes/crisp/tools.hpp"
#include "nodes/http/client.hpp"
#include "engine/clock.hpp"
#include "nodes/http/redact.hpp"
#include "sandbox/http/server.hpp"
#include "tests/crisp/support.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/tools/run_sync.hpp"
#include "store/error.hpp"
#include "store/sqlite_store.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <doctest/doctest.h>

#include <functional>
#include <mutex>

namespace json = boost::json;
namespace shttp = weft::sandbox::http;
using namespace std::chrono_literals;
using weft::crisp::test::MemoryJournal;

namespace {

constexpr const char* kWebsite = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b";
constexpr const char* kSession = "session_0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d";
constexpr const char* kIdentifier = "3e4f5a6b-ident";
constexpr const char* kKey = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

// Answers POSTs from `posts` in order (the last repeats) and GETs with an empty message list;
// logs "METHOD path" of each request.
struct FakeCrisp {
  std::mutex mutex;
  std::vector<shttp::Response> posts;
  std::size_t next_post = 0;
  std::vector<std::string> log;
  std::function<void()> on_post;  // runs as each POST arrives, before it is answered
  std::unique_ptr<shttp::Server> server;

  explicit FakeCrisp(std::vector<shttp::Response> post_answers) : posts(std::move(post_answers)) {
    shttp::Router router;
    router.add("*", "/{*rest}", [this](shttp::Request& req) {
      std::lock_guard lock(mutex);
      log.push_back(req.method + " " + req.path);
      if (req.method == "POST" && on_post) on_post();
      if (req.method == "POST") return posts[std::min(next_post++, posts.size() - 1)];
      return shttp::Response::json(200, R"({"error":false,"reason":"resolved","data":[]})");
    });
    server = std::make_unique<shttp::Server>(std::move(router));
    server->start();
  }
  std::vector<std::string> requests() {
    std::lock_guard lock(mutex);
    return log;
  }
};

shttp::Response answer(int status, const char* body, std::vector<std::pair<std::string, std::string>> headers = {}) {
  auto res = shttp::Response::json(status, body);
  for (auto& [k, v] : headers) res.add_header(k, v);
  return res;
}

struct Setup {
  boost::asio::io_context io;
  std::shared_ptr<weft::ManualClock> clock = std::make_shared<weft::ManualClock>();
  std::shared_ptr<weft::crisp::CrispClient> client;
  std::shared_ptr<weft::crisp::CrispTools> tools;
  explicit Setup(const FakeCrisp& crisp) {
    weft::http::ClientOptions options;
    options.clock = clock;
    options.retry.jitter = 0;
    options.proxy = weft::http::ProxySettings{};
    auto http = std::make_shared<weft::http::Client>(io.get_executor(), options);
    weft::crisp::CrispConfig config;
    config.base_url = crisp.server->base_url() + "/v1/";
    config.identifier = kIdentifier;
    config.key = kKey;
    config.website_id = kWebsite;
    client = std::make_shared<weft::crisp::CrispClient>(http, config);
    tools = std::make_shared<weft::crisp::CrispTools>(client);
  }
};

json::value send_message(Setup& setup, MemoryJournal& journal) {
  json::value args =
      json::object{{"session_id", kSession}, {"type", "text"}, {"from", "operator"}, {"content", "Hello"}};
  return weft::test::run_sync(setup.io,
                              setup.tools->call("create_a_crisp_message", args,
                                                weft::crisp::journal_scope(journal, "thread-w", "task/call-1")));
}

std::vector<std::chrono::milliseconds> sleeps_ms(const weft::ManualClock& clock) {
  std::vector<std::chrono::milliseconds> out;
  for (auto s : clock.sleeps()) out.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(s));
  return out;
}

constexpr const char* kSent = R"({"error":false,"reason":"dispatched","data":{"fingerprint":1}})";

}  // namespace

TEST_CASE("a message send answered 503 with Retry-After waits that long, checks, then resends") {
  FakeCrisp crisp(
      {answer(503, R"({"error":true,"reason":"server_error","data":{}})", {{"Retry-After", "3"}}), answer(200, kSent)});
  Setup setup(crisp);
  MemoryJournal journal;
  send_message(setup, journal);
  CHECK(sleeps_ms(*setup.clock) == std::vector<std::chrono::milliseconds>{3000ms});
  const auto log = crisp.requests();
  REQUIRE(log.size() == 3);
  CHECK(log[0].rfind("POST ", 0) == 0);
  CHECK(log[1].rfind("GET ", 0) == 0);  // looked for the message before resending
  CHECK(log[2].rfind("POST ", 0) == 0);
}

TEST_CASE("a message send answered 429 waits out each Retry-After and sends once, spending no write attempt") {
  FakeCrisp crisp({answer(429, R"({"error":true,"reason":"rate_limited","data":{}})", {{"Retry-After", "2"}}),
                   answer(429, R"({"error":true,"reason":"rate_limited","data":{}})",
                          {{"RateLimit-Remaining", "0"}, {"RateLimit-Reset", "4"}}),
                   answer(200, kSent)});
  Setup setup(crisp);
  MemoryJournal journal;
  send_message(setup, journal);
  CHECK(sleeps_ms(*setup.clock) == std::vector<std::chrono::milliseconds>{2000ms, 4000ms});
  const auto log = crisp.requests();
  REQUIRE(log.size() == 3);
  for (const auto& line : log) CHECK(line.rfind("POST ", 0) == 0);  // a 429 was not processed: no check needed
}

TEST_CASE("a Crisp error body echoing the credentials reaches neither the error nor its detail") {
  // The echo a hostile server could make: the header, the decoded pair, the key.
  const std::string pair = std::string(kIdentifier) + ":" + kKey;
  const std::string encoded = weft::http::base64_encode(pair);
  const std::string message = "bad token Basic " + encoded + " = " + pair + " key " + kKey;
  json::object envelope{{"error", true}, {"reason", "invalid_data"}, {"data", json::object{{"message", message}}}};
  FakeCrisp crisp({answer(400, json::serialize(envelope).c_str())});
  Setup setup(crisp);
  json::value body = json::object{{"nickname", "x"}};
  try {
    weft::test::run_sync(setup.io, setup.client->request("POST", setup.client->website_path("conversation"), {}, body));
    FAIL("the error envelope was not thrown");
  } catch (const weft::crisp::ApiError& e) {
    CHECK(e.code() == make_error_code(weft::crisp::error::invalid_data));
    for (const std::string& text : {std::string(e.what()), e.detail()}) {
      INFO(text);
      CHECK(text.find(kKey) == std::string::npos);
      CHECK(text.find(pair) == std::string::npos);
      CHECK(text.find(encoded.substr(0, encoded.size() - 2)) == std::string::npos);
      CHECK(text.find("[redacted]") != std::string::npos);
    }
  }
}

TEST_CASE("data a Crisp server echoes the key in is redacted before a tool returns it") {
  const std::string data =
      std::string(R"({"error":false,"reason":"added","data":{"note":"your key is )") + kKey + R"("}})";
  FakeCrisp crisp({answer(200, data.c_str())});
  Setup setup(crisp);
  json::value body = json::object{{"nickname", "x"}};
  const auto res = weft::test::run_sync(
      setup.io, setup.client->request("POST", setup.client->website_path("conversation"), {}, body));
  CHECK(json::serialize(res.data).find(kKey) == std::string::npos);
  CHECK(res.data.at("note") == json::value("your key is [redacted]"));
}

TEST_CASE("a send whose lease is taken over while it waits to resend is not resent, and stays in doubt") {
  // Two stores on one file are two processes; the first holds thread "t" and sends. While its first
  // attempt is out (answered 503: outcome unknown), it "is paused" past its lease and the second
  // takes the thread over. After the back-off and the check, the resend asks the lease first.
  FakeCrisp crisp({answer(503, R"({"error":true,"reason":"server_error","data":{}})"), answer(200, kSent)});
  Setup setup(crisp);
  weft::test::TempDir dir;
  weft::SqliteOptions options;
  options.clock = setup.clock;
  options.lease_ttl_ms = 60'000;
  weft::SqliteStore holder(dir.file("weft.db"), options);
  weft::SqliteStore other(dir.file("weft.db"), options);
  const std::unique_ptr<weft::ThreadLease> lease = holder.acquire_lease("t");
  std::unique_ptr<weft::ThreadLease> takeover;
  crisp.on_post = [&] {
    if (takeover) return;
    setup.clock->advance(61s);
    takeover = other.acquire_lease("t");
  };
  json::value args =
      json::object{{"session_id", kSession}, {"type", "text"}, {"from", "operator"}, {"content", "Hello"}};
  try {
    weft::test::run_sync(setup.io, setup.tools->call("create_a_crisp_message", args,
                                                     weft::crisp::journal_scope(holder, "t", "task/call-1")));
    FAIL("a write was finished by a process that lost its thread");
  } catch (const weft::Error& e) {
    CHECK(e.code() == weft::store::error::lease_lost);
    const std::string message = e.what();
    CHECK_MESSAGE(message.find("stays in doubt") != std::string::npos, message);
  }
  REQUIRE(takeover != nullptr);
  const auto log = crisp.requests();
  REQUIRE(log.size() == 2);
  CHECK(log[0].rfind("POST ", 0) == 0);
  CHECK(log[1].rfind("GET ", 0) == 0);  // looked for the message; then the lease check stopped the resend
  // Not abandoned: the thread's new holder finds the send in doubt and reconciles it.
  CHECK(other.find("t", "task/call-1/request").state == weft::EffectState::started);
}
