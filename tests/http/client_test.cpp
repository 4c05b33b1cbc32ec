// SPDX-License-Identifier: MIT
// The HTTP client against loopback servers (sandbox/http), with a ManualClock so that retry and
// rate-limit waits are asserted, not slept.

#include "nodes/http/client.hpp"
#include "engine/clock.hpp"
#include "nodes/http/rate_limit_headers.hpp"
#include "sandbox/http/server.hpp"
#include "tests/tools/run_sync.hpp"
#include "tests/http/tcp_counter.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_future.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <mutex>
#include <thread>

namespace asio = boost::asio;
namespace http = weft::http;
namespace shttp = weft::sandbox::http;
using namespace std::chrono_literals;

namespace {

// Answers the i-th request with answers[i] (the last one repeats) and counts requests.
struct Answers {
  std::vector<shttp::Response> answers;
  std::atomic<std::size_t> next{0};
  std::mutex mutex;
  std::vector<shttp::Request> seen;
};

std::unique_ptr<shttp::Server> serve(std::shared_ptr<Answers> answers, unsigned threads = 1) {
  shttp::Router router;
  router.add("*", "/{*rest}", [answers](shttp::Request& req) {
    {
      std::lock_guard lock(answers->mutex);
      answers->seen.push_back(req);
    }
    const std::size_t i = answers->next++;
    return answers->answers[std::min(i, answers->answers.size() - 1)];
  });
  shttp::ServerOptions options;
  options.threads = threads;
  auto server = std::make_unique<shttp::Server>(std::move(router), options);
  server->start();
  return server;
}

shttp::Response status(int code, std::vector<std::pair<std::string, std::string>> headers = {},
                       std::string body = "{}") {
  auto res = shttp::Response::json(code, std::move(body));
  for (auto& [k, v] : headers) res.add_header(k, v);
  return res;
}

struct Fixture {
  asio::io_context io;
  std::shared_ptr<weft::ManualClock> clock = std::make_shared<weft::ManualClock>();
  std::vector<http::RateLimitEvent> events;

  http::ClientOptions options() {
    http::ClientOptions o;
    o.clock = clock;
    o.retry.jitter = 0;
    o.retry.max_attempts = 3;
    o.jitter_seed = 1;
    o.observer = [this](const http::RateLimitEvent& e) { events.push_back(e); };
    return o;
  }
};

asio::awaitable<http::Response> send(http::Client client, http::Request request) {
  http::Response response = co_await client.request(std::move(request));
  co_return response;
}

http::Request get(const std::string& url) {
  http::Request r;
  r.url = url;
  return r;
}

http::RequestError expect_error(asio::io_context& io, http::Client client, http::Request request) {
  try {
    weft::test::run_sync(io, send(client, std::move(request)));
  } catch (const http::RequestError& e) {
    return e;
  }
  FAIL("the request did not fail");
  throw std::logic_error("unreachable");
}

// Sends GET `url` on `client`, cancels it (terminal) `after` that from a timer on `io`, and runs
// `io` until the request ends. Checks that it ended as cancelled; returns how long it took.
std::chrono::steady_clock::duration time_to_cancel(asio::io_context& io, http::Client client, const std::string& url,
                                                   std::chrono::milliseconds after) {
  asio::cancellation_signal signal;
  auto future =
      asio::co_spawn(io, send(client, get(url)), asio::bind_cancellation_slot(signal.slot(), asio::use_future));
  asio::steady_timer timer(io, after);
  timer.async_wait([&](boost::system::error_code) { signal.emit(asio::cancellation_type::terminal); });
  const auto started = std::chrono::steady_clock::now();
  io.run();
  try {
    future.get();
    FAIL("not cancelled");
  } catch (const http::RequestError& e) {
    CHECK(e.code() == http::error::cancelled);
  }
  return std::chrono::steady_clock::now() - started;
}

std::vector<std::chrono::milliseconds> sleeps_ms(const weft::ManualClock& clock) {
  std::vector<std::chrono::milliseconds> out;
  for (auto s : clock.sleeps()) out.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(s));
  return out;
}

}  // namespace

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

TEST_CASE("a secret registered with the client is masked in what a failing server sent back") {
  auto answers = std::make_shared<Answers>();
  answers->answers = {
      status(503, {}, R"({"error":"bad token s3cr3t-registered-value for user:s3cr3t-registered-value"})")};
  auto server = serve(answers);
  Fixture f;
  auto options = f.options();
  options.secrets = {"s3cr3t-registered-value"};
  http::Client client(f.io.get_executor(), options);
  const auto e = expect_error(f.io, client, get(server->base_url() + "/x"));
  CHECK(std::string(e.what()).find("s3cr3t-registered-value") == std::string::npos);
  CHECK(std::string(e.what()).find("[redacted]") != std::string::npos);
  client.add_credentials("ident", "another-secret-key");
  CHECK(client.redact("echo ident:another-secret-key") == "echo [redacted]");
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

TEST_CASE("no secret from the Authorization header or the query string appears in errors or events") {
  auto answers = std::make_shared<Answers>();
  shttp::Router router;
  router.add("*", "/{*rest}", [](shttp::Request& req) {
    // A hostile server echoing the credentials it received.
    return shttp::Response::json(
        500,
        std::string("{\"echo\":\"") + std::string(req.header("authorization").value_or("")) + " " + req.target + "\"}");
  });
  shttp::Server server(std::move(router));
  server.start();
  Fixture f;
  http::Client client(f.io.get_executor(), f.options());
  http::Request r = get(server.base_url() + "/v1/x?api_key=querysecret42&page=1");
  r.headers = {{"Authorization", "Bearer sk-very-secret-123"}};
  const auto e = expect_error(f.io, client, r);
  const std::string what = e.what();
  CHECK(what.find("echo") != std::string::npos);                // the body excerpt is there...
  CHECK(what.find("sk-very-secret-123") == std::string::npos);  // ...without the secrets
  CHECK(what.find("querysecret42") == std::string::npos);
  REQUIRE_FALSE(f.events.empty());
  for (const auto& event : f.events) {
    CHECK(event.to_string().find("sk-very-secret-123") == std::string::npos);
    CHECK(event.to_string().find("querysecret42") == std::string::npos);
  }
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
