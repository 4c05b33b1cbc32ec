// SPDX-License-Identifier: MIT
// POST /crisp/hooks to runs: events deduplicated, committed before the answer, and routed to one
// thread per conversation in order, across restarts, bursts and the Crisp sandbox's delivery.

#include "tests/server/hooks_support.hpp"

#include <doctest/doctest.h>

using namespace hooks_test;

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
