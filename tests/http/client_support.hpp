// SPDX-License-Identifier: MIT
#pragma once
// The HTTP client tests' shared setup: loopback servers (sandbox/http) that answer from a
// script and record requests, and a client on a ManualClock so that retry and rate-limit waits
// are asserted, not slept.

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

namespace client_test {

// Answers the i-th request with answers[i] (the last one repeats) and counts requests.
struct Answers {
  std::vector<shttp::Response> answers;
  std::atomic<std::size_t> next{0};
  std::mutex mutex;
  std::vector<shttp::Request> seen;
};

inline std::unique_ptr<shttp::Server> serve(std::shared_ptr<Answers> answers, unsigned threads = 1) {
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

inline shttp::Response status(int code, std::vector<std::pair<std::string, std::string>> headers = {},
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

inline asio::awaitable<http::Response> send(http::Client client, http::Request request) {
  http::Response response = co_await client.request(std::move(request));
  co_return response;
}

inline http::Request get(const std::string& url) {
  http::Request r;
  r.url = url;
  return r;
}

inline http::RequestError expect_error(asio::io_context& io, http::Client client, http::Request request) {
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
inline std::chrono::steady_clock::duration time_to_cancel(asio::io_context& io, http::Client client,
                                                          const std::string& url, std::chrono::milliseconds after) {
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

inline std::vector<std::chrono::milliseconds> sleeps_ms(const weft::ManualClock& clock) {
  std::vector<std::chrono::milliseconds> out;
  for (auto s : clock.sleeps()) out.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(s));
  return out;
}

}  // namespace client_test
