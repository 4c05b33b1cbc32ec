// SPDX-License-Identifier: MIT
// The HTTP client follows the pace a server advertises (RateLimit-Policy quota / window), upward and
// downward within HostLimits::max_rate_factor, against a loopback server whose token bucket runs on
// the client's ManualClock: the pace is asserted in virtual time, nothing sleeps.

#include "nodes/http/client.hpp"
#include "engine/clock.hpp"
#include "sandbox/http/server.hpp"
#include "tests/tools/run_sync.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>

#include <doctest/doctest.h>

namespace asio = boost::asio;
namespace http = weft::http;
namespace shttp = weft::sandbox::http;
using namespace std::chrono_literals;

namespace {

// A server with a token bucket of `rate` per second and `burst` tokens on the test's ManualClock,
// advertising `policy` (RateLimit-Policy, none when empty) and, when `report_bucket`, its bucket
// state (RateLimit-Limit/-Remaining/-Reset) on every answer, as the Crisp sandbox does; an empty
// bucket answers 429 with Retry-After: 1.
struct BucketServer {
  std::shared_ptr<weft::ManualClock> clock;
  double rate;
  double burst;
  std::string policy;
  bool report_bucket = true;
  std::mutex mutex;
  double tokens = -1;  // full on the first request
  std::chrono::steady_clock::time_point last{};
  std::atomic<int> answered{0};
  std::atomic<int> refused{0};

  shttp::Response answer() {
    std::lock_guard lock(mutex);
    const auto now = clock->steady_now();
    tokens = tokens < 0 ? burst : std::min(burst, tokens + std::chrono::duration<double>(now - last).count() * rate);
    last = now;
    auto res = shttp::Response::json(200, "{}");
    if (tokens < 1.0) {
      ++refused;
      res = shttp::Response::json(429, "{}");
      res.add_header("Retry-After", "1");
    } else {
      ++answered;
      tokens -= 1.0;
    }
    if (report_bucket) {
      res.add_header("RateLimit-Limit", std::to_string(static_cast<long>(burst)));
      res.add_header("RateLimit-Remaining", std::to_string(static_cast<long>(std::max(0.0, tokens))));
      res.add_header("RateLimit-Reset", std::to_string(static_cast<long>(std::ceil((burst - tokens) / rate))));
    }
    if (!policy.empty()) res.add_header("RateLimit-Policy", policy);
    return res;
  }
};

struct Fixture {
  asio::io_context io;
  std::shared_ptr<weft::ManualClock> clock = std::make_shared<weft::ManualClock>();
  std::shared_ptr<BucketServer> bucket;
  std::unique_ptr<shttp::Server> server;

  Fixture(double rate, double burst, std::string policy, bool report_bucket = true) {
    bucket = std::make_shared<BucketServer>();
    bucket->clock = clock;
    bucket->rate = rate;
    bucket->burst = burst;
    bucket->policy = std::move(policy);
    bucket->report_bucket = report_bucket;
    shttp::Router router;
    router.add("GET", "/{*rest}", [b = bucket](shttp::Request&) { return b->answer(); });
    server = std::make_unique<shttp::Server>(std::move(router), shttp::ServerOptions{});
    server->start();
  }

  // A client with the Crisp client's default pace (10/s, burst 10).
  http::Client client(double max_rate_factor = 4.0) {
    http::ClientOptions options;
    options.clock = clock;
    options.retry.jitter = 0;
    options.jitter_seed = 1;
    options.default_limits.rate = 10;
    options.default_limits.burst = 10;
    options.default_limits.max_rate_factor = max_rate_factor;
    return http::Client(io.get_executor(), options);
  }

  // Sends `count` sequential GETs; returns the requests per second of the last `measured` of them
  // in virtual time (after the bursts are spent).
  double sequential_pace(http::Client client, int count, int measured) {
    std::chrono::steady_clock::time_point from{};
    for (int i = 0; i < count; ++i) {
      if (i == count - measured) from = clock->steady_now();
      http::Request request;
      request.url = server->base_url() + "/read";
      weft::test::run_sync(io, send(client, std::move(request)));
    }
    return measured / std::chrono::duration<double>(clock->steady_now() - from).count();
  }

  static asio::awaitable<http::Response> send(http::Client client, http::Request request) {
    http::Response response = co_await client.request(std::move(request));
    co_return response;
  }
};

}  // namespace

TEST_CASE("the pace rises to the server's advertised quota per window, and no request is refused") {
  // The Crisp sandbox's defaults: 20/s, burst 40, advertised as 40 per 2 s.
  Fixture f(20, 40, "40;w=2");
  const double pace = f.sequential_pace(f.client(), 400, 300);
  CHECK(f.bucket->refused == 0);
  CHECK(f.bucket->answered == 400);
  // The goal of #16 is within 10% of the enforced 20/s; in virtual time it is 20/s exactly.
  CHECK(pace == doctest::Approx(20.0).epsilon(0.01));
}

TEST_CASE("without an advertised policy the client keeps its configured pace") {
  Fixture f(20, 40, "");
  const double pace = f.sequential_pace(f.client(), 100, 50);
  CHECK(f.bucket->refused == 0);
  CHECK(pace == doctest::Approx(10.0).epsilon(0.01));
}

TEST_CASE("an advertised pace below the configured one lowers it before any request is refused") {
  Fixture f(5, 5, "5;w=1");
  const double pace = f.sequential_pace(f.client(), 60, 40);
  CHECK(f.bucket->refused == 0);
  CHECK(pace == doctest::Approx(5.0).epsilon(0.01));
}

TEST_CASE("an advertised pace is followed only within max_rate_factor of the configured rate") {
  SUBCASE("upward: a server advertising 1,000/s gets at most 4 x 10/s") {
    Fixture f(1000, 1000, "1000;w=1");
    const double pace = f.sequential_pace(f.client(), 1100, 100);
    CHECK(pace == doctest::Approx(40.0).epsilon(0.01));
  }
  SUBCASE("downward: a server advertising 1 per hour still gets 10/4 per second") {
    Fixture f(1000, 1000, "1;w=3600");
    const double pace = f.sequential_pace(f.client(), 60, 40);
    CHECK(pace == doctest::Approx(2.5).epsilon(0.01));
  }
  SUBCASE("a factor of 1 never follows the advertisement") {
    Fixture f(1000, 1000, "1000;w=1");
    const double pace = f.sequential_pace(f.client(1.0), 100, 50);
    CHECK(pace == doctest::Approx(10.0).epsilon(0.01));
  }
}

TEST_CASE("a server that advertises more than it allows: the first 429 undoes the raise for good") {
  // Advertises 40/s but refills 12/s and says nothing of its bucket: the raised pace drains it, a
  // 429 answers, and the client goes back to its configured 10/s, below what the server enforces,
  // with no more 429s.
  Fixture f(12, 20, "40;w=1", false);
  const double pace = f.sequential_pace(f.client(), 300, 100);
  CHECK(f.bucket->refused >= 1);
  CHECK(f.bucket->refused <= 2);
  CHECK(f.bucket->answered == 300);
  CHECK(pace == doctest::Approx(10.0).epsilon(0.01));
}
