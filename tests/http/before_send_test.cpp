// SPDX-License-Identifier: MIT
// Request::before_send: asked right before every attempt goes out (the first, and each resend
// after a 5xx back-off or a 429's Retry-After), and what it throws ends the request unsent.

#include "tests/http/client_support.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

using namespace client_test;

namespace {

struct Refused : std::runtime_error {
  Refused() : std::runtime_error("this process may no longer act") {}
};

// Counts the questions; refuses from the `refuse_from`-th on (1-based; 0 = never).
struct Gate {
  int asked = 0;
  int refuse_from = 0;
  http::BeforeSend hook() {
    return [this]() -> asio::awaitable<void> {
      ++asked;
      if (refuse_from != 0 && asked >= refuse_from) throw Refused();
      co_return;
    };
  }
};

// GET /x on `server` through a client with `options`, asking `gate` before each attempt; true
// when the gate's refusal ended the request.
bool refused_by(Gate& gate, Fixture& f, const http::ClientOptions& options, const shttp::Server& server) {
  http::Client client(f.io.get_executor(), options);
  auto request = get(server.base_url() + "/x");
  request.before_send = gate.hook();
  try {
    weft::test::run_sync(f.io, send(client, request));
  } catch (const Refused&) {
    return true;
  }
  return false;
}

}  // namespace

TEST_CASE("before_send is asked once before every attempt, resends included") {
  auto answers = std::make_shared<Answers>();
  answers->answers = {status(503), status(429, {{"Retry-After", "2"}}), status(200)};
  auto server = serve(answers);
  Fixture f;
  http::Client client(f.io.get_executor(), f.options());
  Gate gate;
  auto request = get(server->base_url() + "/x");
  request.before_send = gate.hook();
  const auto res = weft::test::run_sync(f.io, send(client, request));
  CHECK(res.status == 200);
  CHECK(res.attempts == 3);
  CHECK(gate.asked == 3);
  CHECK(answers->next == 3);
}

TEST_CASE("before_send refusing the first attempt sends nothing") {
  auto answers = std::make_shared<Answers>();
  answers->answers = {status(200)};
  auto server = serve(answers);
  Fixture f;
  Gate gate;
  gate.refuse_from = 1;
  CHECK(refused_by(gate, f, f.options(), *server));
  CHECK(gate.asked == 1);
  CHECK(answers->next == 0);
}

TEST_CASE("before_send refusing after a 5xx back-off ends the request without the resend") {
  auto answers = std::make_shared<Answers>();
  answers->answers = {status(503), status(200)};
  auto server = serve(answers);
  Fixture f;
  Gate gate;
  gate.refuse_from = 2;
  CHECK(refused_by(gate, f, f.options(), *server));
  CHECK(gate.asked == 2);
  CHECK(answers->next == 1);                                                    // the first attempt only
  CHECK(sleeps_ms(*f.clock) == std::vector<std::chrono::milliseconds>{500ms});  // asked after the wait
}

TEST_CASE("before_send refusing after a 429's Retry-After ends the request without the resend") {
  auto answers = std::make_shared<Answers>();
  answers->answers = {status(429, {{"Retry-After", "3"}}), status(200)};
  auto server = serve(answers);
  Fixture f;
  auto options = f.options();
  options.retry.max_attempts = 1;  // as for a write: a rate-limited answer is still waited out and resent
  Gate gate;
  gate.refuse_from = 2;
  CHECK(refused_by(gate, f, options, *server));
  CHECK(gate.asked == 2);
  CHECK(answers->next == 1);
  const auto sleeps = sleeps_ms(*f.clock);
  REQUIRE(sleeps.size() == 1);
  CHECK(sleeps[0] >= 3000ms);  // the server's wait, then the question, then no resend
}
