// SPDX-License-Identifier: MIT
// POST /crisp/hooks validation: malformed events and routing rules refused with what is wrong
// named, unknown websites, and routing by filters.

#include "tests/server/hooks_support.hpp"

#include <doctest/doctest.h>

using namespace hooks_test;

TEST_CASE("hooks: malformed events are refused with the field named") {
  auto refused = [](const std::string& body) -> std::string {
    try {
      parse_hook_event(body);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "accepted";
  };
  CHECK(refused("{").find("not JSON") != std::string::npos);
  CHECK(refused("[1]").find("not a JSON object") != std::string::npos);
  CHECK(refused(R"({"website_id":"x","event":"message:send","data":{}})").find("website_id") != std::string::npos);
  CHECK(refused(std::string(R"({"website_id":")") + kWebsite + R"(","event":"DROP TABLE","data":{}})").find("event") !=
        std::string::npos);
  CHECK(refused(std::string(R"({"website_id":")") + kWebsite +
                R"(","event":"message:send","data":{"session_id":"../x","fingerprint":1}})")
            .find("session_id") != std::string::npos);
  CHECK(refused(std::string(R"({"website_id":")") + kWebsite + R"(","event":"message:send","data":{"session_id":")" +
                kSession + R"("}})")
            .find("fingerprint") != std::string::npos);
  CHECK(
      refused(std::string(R"({"website_id":")") + kWebsite +
              R"(","event":"message:send","data":{"website_id":"11111111-2222-4333-8444-555555555555","session_id":")" +
              kSession + R"(","fingerprint":1}})")
          .find("differs") != std::string::npos);
  // One message event's identity is the same whatever else differs between deliveries.
  CHECK(parse_hook_event(message_body(kSession, 7, "a")).identity ==
        parse_hook_event(message_body(kSession, 7, "b")).identity);
  CHECK(parse_hook_event(message_body(kSession, 7)).identity != parse_hook_event(message_body(kSession, 8)).identity);
}

TEST_CASE("hooks: routing rules are validated with the line named, and route by filters") {
  auto exists = [](std::string_view g) { return g == "live_reply" || g == "spam_triage"; };
  auto error_of = [&](const std::string& text) -> std::string {
    try {
      HookRouting::parse(text, "hooks.conf", exists);
    } catch (const HookConfigError& e) {
      return e.what();
    }
    return "valid";
  };
  CHECK(error_of("# comment\n\non message:send fromm=user run live_reply\n") ==
        "hooks.conf:3: unknown filter 'fromm' (filters: from, website, segment, type, min_links)");
  CHECK(error_of("on message:send run nope\n").find("hooks.conf:1: no graph named 'nope'") == 0);
  CHECK(error_of("on message:send from=user\n").find("hooks.conf:1: missing 'run <graph>'") == 0);
  CHECK(error_of("when message:send run live_reply\n").find("hooks.conf:1: a rule starts with 'on") == 0);
  CHECK(error_of("on message:send min_links=x run live_reply").find("min_links") != std::string::npos);
  CHECK(error_of("on message:send run live_reply thread ../etc").find("'thread' takes") != std::string::npos);
  CHECK(error_of("on message:send run live_reply input [1]").find("JSON object") != std::string::npos);

  HookRouting routing = HookRouting::parse(
      "on message:send from=user min_links=3 run spam_triage  # links: spam\n"
      "on message:send from=user run live_reply thread visitor-{session_id} input {\"auto_send\": false}\n",
      "hooks.conf", exists);
  auto props = [](std::string_view graph) {
    return graph == "live_reply" ? std::vector<std::string>{"session_id", "message_fingerprint", "auto_send"}
                                 : std::vector<std::string>{"limit"};
  };
  auto spam = routing.route(parse_hook_event(message_body(kSession, 1, "see http://a.x www.b.y https://c.z")), props);
  REQUIRE(spam);
  CHECK(spam->graph == "spam_triage");
  CHECK(spam->thread_id == std::string("crisp-") + kSession);
  CHECK(spam->input.empty());  // spam_triage declares no session_id: none is passed
  auto reply = routing.route(parse_hook_event(message_body(kSession, 2, "one link http://a.x")), props);
  REQUIRE(reply);
  CHECK(reply->graph == "live_reply");
  CHECK(reply->thread_id == std::string("visitor-") + kSession);
  CHECK(json::serialize(reply->input) ==
        std::string(R"({"auto_send":false,"session_id":")") + kSession + R"(","message_fingerprint":2})");
  // An operator's own message starts nothing.
  std::string operator_body = message_body(kSession, 3);
  operator_body.replace(operator_body.find(R"("from":"user")"), 13, R"("from":"operator")");
  CHECK_FALSE(routing.route(parse_hook_event(operator_body), props));
  CHECK(count_links("no links here, just www and http") == 0);
  CHECK(count_links(std::string(100000, 'a') + " http://x") == 1);
}

TEST_CASE("hooks: an unknown website or a malformed body is a 4xx and nothing is stored") {
  TestServer s(hook_options());
  std::string other = message_body(kSession, 1);
  for (std::size_t at = other.find(kWebsite); at != std::string::npos; at = other.find(kWebsite))
    other.replace(at, std::string(kWebsite).size(), "11111111-2222-4333-8444-555555555555");
  CHECK(s.request("POST", "/crisp/hooks", other, signed_headers(other)).status == 404);
  const std::string garbage = "{\"website_id\": ";
  CHECK(s.request("POST", "/crisp/hooks", garbage, signed_headers(garbage)).status == 400);
  const std::string huge = message_body(kSession, 2, std::string(2 << 20, 'x'));
  CHECK(s.request("POST", "/crisp/hooks", huge, signed_headers(huge)).status == 413);
  CHECK(stored_events(s) == 0);
  CHECK(count_threads(s) == 0);
}
