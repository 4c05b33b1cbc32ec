// SPDX-License-Identifier: MIT
// POST /crisp/hooks: Crisp web hooks authenticated (signature, key, replay window), validated,
// deduplicated, committed before the answer, routed to one thread per conversation in order.

#include "server/detail/hook_event.hpp"
#include "server/detail/hook_routing.hpp"
#include "server/detail/hook_signature.hpp"
#include "sandbox/crisp/sandbox.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

namespace json = boost::json;
using namespace weft::server::detail;
using server_test::TestServer;

namespace {

constexpr const char* kWebsite = "8c842203-7ed8-4e29-a608-7cf78a7d2fcc";
constexpr const char* kSession = "session_700c65e1-85e2-465a-b9ac-ecb5ec2c9881";
constexpr const char* kOtherSession = "session_11111111-2222-4333-8444-555555555555";
constexpr const char* kSecret = "s3cret";
constexpr const char* kRouting = "on message:send from=user run visitor\n";

std::string message_body(const std::string& session, std::int64_t fingerprint, const std::string& content = "Hello") {
  json::object data{{"website_id", kWebsite},
                    {"session_id", session},
                    {"type", "text"},
                    {"from", "user"},
                    {"content", content},
                    {"fingerprint", fingerprint},
                    {"timestamp", 1700000000000}};
  return json::serialize(
      json::object{{"website_id", kWebsite}, {"event", "message:send"}, {"data", data}, {"timestamp", 1700000000000}});
}

std::string now_ms_text() {
  return std::to_string(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

weft::sandbox::http::Fields signed_headers(const std::string& body, const std::string& secret = kSecret,
                                           std::string stamp = {}) {
  if (stamp.empty()) stamp = now_ms_text();
  return {{"X-Crisp-Request-Timestamp", stamp},
          {"X-Crisp-Signature", crisp_hook_signature(secret, stamp, body)},
          {"Content-Type", "application/json"}};
}

weft::server::ServerOptions hook_options(std::string secret = kSecret, std::string key = {}) {
  weft::server::ServerOptions o;
  o.crisp_hooks.secret = std::move(secret);
  o.crisp_hooks.key = std::move(key);
  o.crisp_hooks.website_ids = {kWebsite};
  o.crisp_hooks.routing = kRouting;
  return o;
}

std::int64_t stored_events(const TestServer& s) {
  SQLite::Database db(s.folder() + "/weft.db", SQLite::OPEN_READONLY);
  SQLite::Statement q(db, "SELECT COUNT(*) FROM server_hook_events");
  q.executeStep();
  return q.getColumn(0).getInt64();
}

std::int64_t count_threads(TestServer& s) { return s.post("/threads/count", json::object()).json.as_int64(); }

// The runs of a thread once none is pending or running, oldest first.
json::array settled_runs(TestServer& s, const std::string& thread_id) {
  for (int i = 0; i < 2000; ++i) {
    auto r = s.get("/threads/" + thread_id + "/runs?limit=100");
    if (r.status == 200 && r.json.is_array()) {
      bool settled = true;
      for (const auto& run : r.json.as_array()) {
        const auto& status = run.at("status").as_string();
        settled = settled && status != "pending" && status != "running";
      }
      if (settled && !r.json.as_array().empty()) {
        json::array runs = r.json.as_array();
        std::reverse(runs.begin(), runs.end());
        return runs;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  FAIL("the runs of " << thread_id << " did not settle");
  return {};
}

}  // namespace

TEST_CASE("hooks: the signature is HMAC-SHA256 over [timestamp;body], as crisp-api computes it") {
  // Vector computed with Node's crypto exactly as crisp-api's __verifySignature does.
  const std::string body = message_body(kSession, 163408841868743);
  CHECK(
      body ==
      R"({"website_id":"8c842203-7ed8-4e29-a608-7cf78a7d2fcc","event":"message:send","data":{"website_id":"8c842203-7ed8-4e29-a608-7cf78a7d2fcc","session_id":"session_700c65e1-85e2-465a-b9ac-ecb5ec2c9881","type":"text","from":"user","content":"Hello","fingerprint":163408841868743,"timestamp":1700000000000},"timestamp":1700000000000})");
  const std::string vector_body =
      R"({"website_id":"8c842203-7ed8-4e29-a608-7cf78a7d2fcc","event":"message:send","data":{"session_id":"session_700c65e1-85e2-465a-b9ac-ecb5ec2c9881","fingerprint":163408841868743,"content":"Hello","from":"user"},"timestamp":1700000000000})";
  CHECK(crisp_hook_signature("s3cret", "1700000000000", vector_body) ==
        "c673f0edb3e7b0003fb52a0181d14d5590290d335dfb64e08a1e431137a86277");
  CHECK(crisp_hook_signature_matches("s3cret", "1700000000000", vector_body,
                                     "C673F0EDB3E7B0003FB52A0181D14D5590290D335DFB64E08A1E431137A86277"));
  CHECK_FALSE(crisp_hook_signature_matches("s3cret", "1700000000001", vector_body,
                                           "c673f0edb3e7b0003fb52a0181d14d5590290d335dfb64e08a1e431137a86277"));
  CHECK_FALSE(crisp_hook_signature_matches("", "1700000000000", vector_body,
                                           crisp_hook_signature("", "1700000000000", vector_body)));
  CHECK(parse_hook_timestamp("1700000000000")->count() == 1700000000000);
  CHECK(parse_hook_timestamp("1700000000")->count() == 1700000000000);  // seconds
  CHECK_FALSE(parse_hook_timestamp("-5"));
  CHECK_FALSE(parse_hook_timestamp("17e11"));
  CHECK_FALSE(parse_hook_timestamp(""));
  CHECK_FALSE(parse_hook_timestamp("99999999999999999999"));
}

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

TEST_CASE("hooks: with neither secret nor key every event is refused and nothing is stored") {
  TestServer s(hook_options("", ""));
  const std::string body = message_body(kSession, 1);
  auto r = s.request("POST", "/crisp/hooks", body, signed_headers(body));
  CHECK(r.status == 403);
  CHECK(r.json.at("detail").as_string().find("CRISP_HOOK_SECRET") != std::string::npos);
  CHECK(stored_events(s) == 0);
  CHECK(count_threads(s) == 0);
}

TEST_CASE("hooks: a signed visitor message starts its graph on crisp-<session> with the session as input") {
  TestServer s(hook_options());
  const std::string body = message_body(kSession, 42);
  auto r = s.request("POST", "/crisp/hooks", body, signed_headers(body));
  REQUIRE(r.status == 200);
  CHECK(r.json.at("status") == "accepted");
  const std::string thread = std::string("crisp-") + kSession;
  CHECK(r.json.at("thread_id").as_string() == thread);
  CHECK(stored_events(s) == 1);
  json::array runs = settled_runs(s, thread);
  REQUIRE(runs.size() == 1);
  CHECK(runs[0].at("status") == "success");
  auto state = s.get("/threads/" + thread + "/state");
  const json::value& logged = state.json.at("values").at("log").as_array().at(0);
  CHECK(logged.at("session_id") == kSession);
  CHECK(logged.at("message_fingerprint") == 42);
  CHECK(logged.at("website_id") == kWebsite);
}

TEST_CASE("hooks: forged, altered, stale and unsigned events are refused with nothing stored") {
  TestServer s(hook_options());
  const std::string body = message_body(kSession, 5);
  // a bit flipped in the body after signing
  auto headers = signed_headers(body);
  std::string flipped = body;
  flipped[flipped.find("Hello")] ^= 0x01;
  CHECK(s.request("POST", "/crisp/hooks", flipped, headers).status == 401);
  // another secret
  CHECK(s.request("POST", "/crisp/hooks", body, signed_headers(body, "not-the-secret")).status == 401);
  // stale: signed correctly, 10 minutes ago (the window is 5)
  const std::string old = std::to_string(std::stoll(now_ms_text()) - 600'000);
  auto stale = s.request("POST", "/crisp/hooks", body, signed_headers(body, kSecret, old));
  CHECK(stale.status == 401);
  CHECK(stale.json.at("detail").as_string().find("replay") != std::string::npos);
  // the signature without its timestamp; nothing at all; a key when only signatures are accepted
  auto no_stamp = signed_headers(body);
  no_stamp.erase(no_stamp.begin());
  CHECK(s.request("POST", "/crisp/hooks", body, no_stamp).status == 401);
  CHECK(s.request("POST", "/crisp/hooks", body, {{"Content-Type", "application/json"}}).status == 401);
  CHECK(s.request("POST", "/crisp/hooks?key=s3cret", body).status == 401);
  CHECK(stored_events(s) == 0);
  CHECK(count_threads(s) == 0);
}

TEST_CASE("hooks: website hooks authenticate with ?key=, compared whole") {
  TestServer s(hook_options("", "k-123"));
  const std::string body = message_body(kSession, 9);
  CHECK(s.request("POST", "/crisp/hooks?key=k-12", body).status == 401);
  CHECK(s.request("POST", "/crisp/hooks?key=k-1234", body).status == 401);
  CHECK(s.request("POST", "/crisp/hooks", body, signed_headers(body)).status == 401);  // no secret configured
  CHECK(stored_events(s) == 0);
  auto r = s.request("POST", "/crisp/hooks?key=k-123", body);
  CHECK(r.status == 200);
  CHECK(r.json.at("status") == "accepted");
  CHECK(stored_events(s) == 1);
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

TEST_CASE("hooks: redelivered and out-of-order events start one run each, in arrival order, one at a time") {
  TestServer s(hook_options());
  const std::string first = message_body(kSession, 100, "first");
  const std::string second = message_body(kSession, 200, "second");
  const std::string elsewhere = message_body(kOtherSession, 100, "other conversation");
  // second arrives before first, and each is delivered twice
  for (const std::string* body : {&second, &first, &second, &elsewhere, &first}) {
    auto r = s.request("POST", "/crisp/hooks", *body, signed_headers(*body));
    REQUIRE(r.status == 200);
  }
  CHECK(stored_events(s) == 3);
  json::array runs = settled_runs(s, std::string("crisp-") + kSession);
  REQUIRE(runs.size() == 2);
  CHECK(runs[0].at("kwargs").at("input").at("message_fingerprint") == 200);
  CHECK(runs[1].at("kwargs").at("input").at("message_fingerprint") == 100);
  CHECK(runs[0].at("multitask_strategy") == "enqueue");
  CHECK(settled_runs(s, std::string("crisp-") + kOtherSession).size() == 1);
  // The thread's history: one checkpointed run after the other (enqueue: never concurrent).
  auto state = s.get(std::string("/threads/crisp-") + kSession + "/state");
  const json::array& log = state.json.at("values").at("log").as_array();
  REQUIRE(log.size() == 2);
  CHECK(log[0].at("message_fingerprint") == 200);
  CHECK(log[1].at("message_fingerprint") == 100);
}

TEST_CASE("hooks: an event committed by a process that died before starting its run is routed on restart") {
  std::string folder;
  {
    TestServer first(hook_options());
    first.keep_folder();
    folder = first.folder();
    first.stop();
  }
  // What a crash between the event's commit and its run's leaves: the event, routed nowhere.
  const std::string body = message_body(kSession, 77);
  {
    SQLite::Database db(folder + "/weft.db", SQLite::OPEN_READWRITE);
    SQLite::Statement q(db, "INSERT INTO server_hook_events VALUES (?, ?, 'message:send', ?, 1, ?, '', '')");
    q.bind(1, parse_hook_event(body).identity);
    q.bind(2, kWebsite);
    q.bind(3, kSession);
    q.bind(4, body);
    q.exec();
  }
  TestServer second(hook_options(), folder);
  second.remove_folder_at_end();
  json::array runs = settled_runs(second, std::string("crisp-") + kSession);
  REQUIRE(runs.size() == 1);
  CHECK(runs[0].at("kwargs").at("input").at("message_fingerprint") == 77);
  // Crisp delivers it again: recognised, no second run.
  auto again = second.request("POST", "/crisp/hooks", body, signed_headers(body));
  CHECK(again.json.at("status") == "duplicate");
  CHECK(settled_runs(second, std::string("crisp-") + kSession).size() == 1);
}

TEST_CASE("hooks: the sandbox delivers a visitor's message as Crisp does, and the server starts its run") {
  // The whole offline loop: a visitor writes through the sandbox's Crisp API, the sandbox posts a
  // signed message:send hook, the server verifies it and runs the graph on crisp-<session>.
  std::string website;
  {
    weft::sandbox::crisp::Sandbox probe(weft::sandbox::crisp::SandboxOptions{});  // seed 42: same world
    probe.start();
    website = probe.website_id();
  }
  weft::server::ServerOptions options = hook_options();
  options.crisp_hooks.website_ids = {website};
  TestServer s(options);

  weft::sandbox::crisp::SandboxOptions sandbox_options;
  sandbox_options.hook_url = "http://127.0.0.1:" + std::to_string(s.port()) + "/crisp/hooks";
  sandbox_options.hook_secret = kSecret;
  weft::sandbox::crisp::Sandbox sandbox(sandbox_options);
  sandbox.start();
  REQUIRE(sandbox.website_id() == website);
  const auto credentials = sandbox.credentials();
  weft::sandbox::http::Client crisp("127.0.0.1", sandbox.port());
  const weft::sandbox::http::Fields auth{
      {"Authorization", weft::sandbox::http::basic_auth(credentials.identifier, credentials.key)},
      {"X-Crisp-Tier", credentials.tier},
      {"Content-Type", "application/json"}};
  auto created = crisp.request("POST", "/v1/website/" + website + "/conversation", "{}", auth);
  REQUIRE(created.status / 100 == 2);
  const std::string session(json::parse(created.body).at("data").at("session_id").as_string());
  auto sent = crisp.request("POST", "/v1/website/" + website + "/conversation/" + session + "/message",
                            R"({"type":"text","from":"user","origin":"chat","content":"Where is my invoice?"})", auth);
  REQUIRE(sent.status / 100 == 2);
  const std::int64_t fingerprint = json::parse(sent.body).at("data").at("fingerprint").as_int64();
  // An operator's answer is delivered too (message:received) and routed nowhere.
  auto answered = crisp.request("POST", "/v1/website/" + website + "/conversation/" + session + "/message",
                                R"({"type":"text","from":"operator","origin":"chat","content":"Let me check."})", auth);
  REQUIRE(answered.status / 100 == 2);

  json::array runs = settled_runs(s, "crisp-" + session);
  REQUIRE(runs.size() == 1);
  CHECK(runs[0].at("status") == "success");
  CHECK(runs[0].at("kwargs").at("input").at("message_fingerprint") == fingerprint);
  for (int i = 0; i < 2000 && stored_events(s) < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  CHECK(stored_events(s) == 2);
  // The sender counts a delivery once it has read the answer, a moment after the server stored it.
  json::value hooks;
  for (int i = 0; i < 2000; ++i) {
    hooks = json::parse(crisp.request("GET", "/_sandbox/hooks").body);
    if (hooks.at("delivered") == 2) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  CHECK(hooks.at("delivered") == 2);
  CHECK(hooks.at("failed") == 0);
}

TEST_CASE(
    "hooks: a burst of 1,000 events over 100 conversations: all answered 2xx, each conversation in order, one run at a "
    "time") {
  weft::server::ServerOptions options = hook_options();
  options.workers = 8;
  TestServer s(options);
  server_test::reset_visitor_runs_at_once();
  constexpr int kConversations = 100;
  constexpr int kMessages = 10;
  constexpr int kSenders = 10;
  auto session_of = [](int c) {
    char id[64];
    std::snprintf(id, sizeof id, "session_%08d-0000-4000-8000-000000000000", c);
    return std::string(id);
  };
  std::atomic<int> refused{0};
  std::vector<std::thread> senders;
  for (int t = 0; t < kSenders; ++t) {
    senders.emplace_back([&, t] {
      weft::sandbox::http::Client client("127.0.0.1", s.port());
      // Each sender owns 10 conversations and interleaves them, message by message.
      for (int m = 0; m < kMessages; ++m) {
        for (int c = t; c < kConversations; c += kSenders) {
          const std::string body = message_body(session_of(c), 1000 + m);
          const auto answer = client.request("POST", "/crisp/hooks", body, signed_headers(body));
          if (answer.status != 200 || answer.body.find("\"accepted\"") == std::string::npos) ++refused;
        }
      }
    });
  }
  for (auto& t : senders) t.join();
  CHECK(refused.load() == 0);
  CHECK(stored_events(s) == kConversations * kMessages);
  for (int c = 0; c < kConversations; ++c) {
    json::array runs = settled_runs(s, "crisp-" + session_of(c));
    REQUIRE(runs.size() == kMessages);
    for (int m = 0; m < kMessages; ++m) {
      CHECK(runs[m].at("status") == "success");
      CHECK(runs[m].at("kwargs").at("input").at("message_fingerprint") == 1000 + m);
    }
  }
  CHECK(server_test::visitor_runs_at_once_on_one_thread() == 1);
}
