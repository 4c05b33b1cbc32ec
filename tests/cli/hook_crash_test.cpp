// SPDX-License-Identifier: MIT
// Crisp web hooks across SIGKILLs of `weft serve` (#15, "exactly once"): real processes (a
// `weft sandbox` with its state file, `weft serve` with CRISP_HOOK_KEY on one database), visitor
// messages written through the sandbox's Crisp API, their message:send events posted to the
// server, which is killed with SIGKILL as soon as it has answered 200, restarted on the same
// database, sent every event again (twice, in reverse order) and killed again. The last server
// finishes what the dead ones accepted; a human approves each drafted reply (the offline model
// never sends by itself). The sandbox's effect log then holds exactly one reply per visitor
// message: none lost, none doubled.

#include "sandbox/http/client.hpp"
#include "tests/cli/serve_client.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <map>
#include <thread>

namespace json = boost::json;
using weft::test::BackgroundProcess;
using weft::test::call_api;
using weft::test::port_of_url;
using weft::test::ProcessOptions;
using weft::test::serve_port;
using weft::test::TempDir;
using weft::test::weft_binary;

namespace {

constexpr const char* kHookKey = "hook-key-7f3a";

// Questions the offline model classifies as questions a help center may answer.
const std::vector<std::string> kQuestions = {
    "Hi! The chat widget is not loading on our website. What should I check?",
    "Our webhook integration is not working: the API answers with an error 500.",
    "The widget install is broken on our Next.js site since the update. How do I fix it?",
};

struct VisitorMessage {
  std::string session_id;
  std::int64_t fingerprint = 0;
  std::string hook_body;  // the message:send event Crisp would post for it
};

// A visitor opens a conversation and writes `text` through the sandbox's Crisp API.
VisitorMessage visitor_writes(const json::object& sandbox, const std::string& text) {
  const std::string website(sandbox.at("website_id").as_string());
  weft::sandbox::http::Client crisp("127.0.0.1", port_of_url(std::string(sandbox.at("url").as_string())));
  const weft::sandbox::http::Fields auth{
      {"Authorization", weft::sandbox::http::basic_auth(std::string(sandbox.at("identifier").as_string()),
                                                        std::string(sandbox.at("key").as_string()))},
      {"X-Crisp-Tier", std::string(sandbox.at("tier").as_string())},
      {"Content-Type", "application/json"}};
  auto created = crisp.request("POST", "/v1/website/" + website + "/conversation", "{}", auth);
  REQUIRE(created.status / 100 == 2);
  VisitorMessage m;
  m.session_id = std::string(json::parse(created.body).at("data").at("session_id").as_string());
  json::object message{{"type", "text"}, {"from", "user"}, {"origin", "chat"}, {"content", text}};
  auto sent = crisp.request("POST", "/v1/website/" + website + "/conversation/" + m.session_id + "/message",
                            json::serialize(message), auth);
  REQUIRE(sent.status / 100 == 2);
  m.fingerprint = json::parse(sent.body).at("data").at("fingerprint").as_int64();
  const std::int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  json::object data = message;
  data["website_id"] = website;
  data["session_id"] = m.session_id;
  data["fingerprint"] = m.fingerprint;
  data["timestamp"] = now_ms;
  m.hook_body = json::serialize(
      json::object{{"website_id", website}, {"event", "message:send"}, {"data", data}, {"timestamp", now_ms}});
  return m;
}

// Posts a website hook (?key=) and returns the server's answer status ("accepted", "duplicate").
std::string post_hook(std::uint16_t port, const VisitorMessage& m) {
  weft::sandbox::http::Client client("127.0.0.1", port);
  auto answer = client.request("POST", std::string("/crisp/hooks?key=") + kHookKey, m.hook_body,
                               {{"Content-Type", "application/json"}});
  INFO("hook for " << m.session_id << ": " << answer.status << " " << answer.body);
  REQUIRE(answer.status == 200);
  return std::string(json::parse(answer.body).at("status").as_string());
}

// The runs of a thread once none is pending or running (waits up to 60 s).
json::array settled_runs(std::uint16_t port, const std::string& thread_id) {
  json::array runs;
  for (int i = 0; i < 600; ++i) {
    runs = call_api(port, "GET", "/threads/" + thread_id + "/runs").as_array();
    bool settled = !runs.empty();
    for (const auto& r : runs) settled = settled && r.at("status") != "pending" && r.at("status") != "running";
    if (settled) return runs;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  FAIL("the runs of " << thread_id << " did not settle: " << json::serialize(runs));
  return runs;
}

// Operator messages the sandbox performed per conversation (effective writes, not replays).
std::map<std::string, int> replies_by_session(std::uint16_t sandbox_port) {
  std::map<std::string, int> replies;
  const json::value log = call_api(sandbox_port, "GET", "/_sandbox/effects");
  for (const auto& e : log.at("effects").as_array()) {
    const std::string path(e.at("path").as_string());
    const auto status = e.at("status").to_number<int>();
    if (e.at("method") != "POST" || !path.ends_with("/message") || status / 100 != 2 || e.at("replayed") == true)
      continue;
    if (!e.at("body").is_object() || e.at("body").at("from") != "operator") continue;
    ++replies[std::string(e.at("session_id").as_string())];
  }
  return replies;
}

}  // namespace

TEST_CASE(
    "weft serve killed with SIGKILL right after answering 200 to Crisp hooks loses no event and answers each visitor "
    "message once") {
  TempDir dir;
  ProcessOptions plain;
  plain.unset_env = weft::test::kServeCleanEnv;
  BackgroundProcess sandbox(weft_binary(), {"sandbox", "--port", "0", "--state", dir.file("sandbox.json"), "--json"},
                            plain);
  const json::object info = json::parse(sandbox.read_line()).as_object();
  const std::uint16_t sandbox_port = port_of_url(std::string(info.at("url").as_string()));
  std::vector<VisitorMessage> messages;
  for (const auto& text : kQuestions) messages.push_back(visitor_writes(info, text));

  ProcessOptions options = plain;
  options.env = {{"CRISP_API_IDENTIFIER", std::string(info.at("identifier").as_string())},
                 {"CRISP_API_KEY", std::string(info.at("key").as_string())},
                 {"CRISP_WEBSITE_ID", std::string(info.at("website_id").as_string())},
                 {"CRISP_HOOK_KEY", kHookKey}};
  const std::vector<std::string> serve_args{
      "serve", "--port", "0", "--db", dir.file("weft.db"), "--crisp", std::string(info.at("api_url").as_string())};

  {
    // The first event is answered 200, and the server dies at once: the answer promised it is stored.
    BackgroundProcess first(weft_binary(), serve_args, options);
    CHECK(post_hook(serve_port(first), messages[0]) == "accepted");
    CHECK(first.kill_now() == SIGKILL);
  }
  {
    // Crisp delivers at least once: every event again, twice, newest first; killed after the last 200.
    BackgroundProcess second(weft_binary(), serve_args, options);
    const std::uint16_t port = serve_port(second);
    for (std::size_t i = messages.size(); i-- > 0;) {
      CHECK(post_hook(port, messages[i]) == (i == 0 ? "duplicate" : "accepted"));
      CHECK(post_hook(port, messages[i]) == "duplicate");
    }
    CHECK(second.kill_now() == SIGKILL);
  }
  BackgroundProcess third(weft_binary(), serve_args, options);
  const std::uint16_t port = serve_port(third);
  CHECK(post_hook(port, messages[1]) == "duplicate");
  for (const auto& m : messages) {
    const std::string thread = "crisp-" + m.session_id;
    // One run per event, whatever the deliveries and the deaths; the offline draft waits for a human.
    json::array runs = settled_runs(port, thread);
    const json::value state = call_api(port, "GET", "/threads/" + thread + "/state");
    INFO(json::serialize(runs));
    INFO(json::serialize(state));
    REQUIRE(runs.size() == 1);
    CHECK(runs[0].at("status") == "interrupted");
    // (A run resumed by a restarted server keeps its input in the checkpoints, not in its kwargs.)
    CHECK(state.at("values").at("input").at("message_fingerprint") == m.fingerprint);
    const json::value done =
        call_api(port, "POST", "/threads/" + thread + "/runs/wait",
                 json::object{{"assistant_id", "live_reply"},
                              {"command", json::object{{"resume", json::object{{"action", "approve"}}}}}});
    CHECK(done.at("outcome").at("action") == "replied");
  }
  // Delivered again after it was answered: still nothing sent twice.
  CHECK(post_hook(port, messages[2]) == "duplicate");
  CHECK(third.stop() == 0);

  const std::map<std::string, int> replies = replies_by_session(sandbox_port);
  for (const auto& m : messages) {
    INFO(m.session_id);
    CHECK(replies.count(m.session_id) == 1);
    if (replies.count(m.session_id) == 1) CHECK(replies.at(m.session_id) == 1);
  }
  CHECK(replies.size() == messages.size());
}
