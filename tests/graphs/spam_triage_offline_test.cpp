// SPDX-License-Identifier: MIT
// spam_triage with the offline model must never block a visitor and must not take a real customer
// for a spammer: conversations written into the Crisp sandbox as a visitor would, then triaged.

#include "nodes/model/offline_model.hpp"
#include "nodes/model/scripted_chat_model.hpp"
#include "sandbox/http/client.hpp"
#include "tests/graphs/world.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <doctest/doctest.h>

#include <algorithm>
#include <initializer_list>

namespace json = boost::json;
using weft::test::sessions_of;
using weft::test::World;

namespace {

// A real customer's long thread about failing webhooks: links to its endpoint, status page, log
// extract, screenshot and docs are the evidence, not spam.
const std::initializer_list<const char*> kWebhookThread = {
    "Hi, since Monday our webhook deliveries are failing: we no longer receive message:send events.",
    "Our endpoint is https://hooks.northwind-shop.com/crisp/events and answers in under 80 ms, see "
    "https://status.northwind-shop.com for our uptime.",
    "Here is an extract of our access log: https://gist.github.com/northwind-ops/4f2a9c and a screenshot of your "
    "dashboard: https://imgur.com/a/x7Kq2",
    "The last delivery we got was at 09:12 UTC, nothing since then, and no retries show up.",
    "Our retry configuration is documented at https://docs.northwind-shop.com/ops/retries if that helps.",
    "Could you look into it? Our order notifications depend on it and customers are asking."};

const std::initializer_list<const char*> kGuestPostPitch = {
    "Hi team! I'm Laura, content manager at BrightReach Media. We would love to contribute a guest post to the "
    "Acme Cloud blog. Every article includes 2 do-follow backlinks to boost your rankings.",
    "Our pricing is $120 per post, with a discount on plans of 5 posts or more. Happy to send our price list and "
    "a quote today!"};

// Creates a conversation in the sandbox with `messages` sent by the visitor; returns its session id.
std::string visitor_conversation(World& world, std::initializer_list<const char*> messages) {
  auto& sandbox = world.sandbox();
  const auto creds = sandbox.credentials();
  weft::sandbox::http::Client client("127.0.0.1", sandbox.port());
  const weft::sandbox::http::Fields headers = {
      {"Authorization", weft::sandbox::http::basic_auth(creds.identifier, creds.key)},
      {"X-Crisp-Tier", creds.tier},
      {"Content-Type", "application/json"}};
  const std::string website = "/v1/website/" + sandbox.website_id();
  auto created = client.request("POST", website + "/conversation", "{}", headers);
  REQUIRE(created.status == 200);
  const std::string sid(json::parse(created.body).at("data").at("session_id").as_string());
  for (const char* text : messages) {
    json::object message;
    message["type"] = "text";
    message["from"] = "user";
    message["origin"] = "chat";
    message["content"] = text;
    auto sent =
        client.request("POST", website + "/conversation/" + sid + "/message", json::serialize(message), headers);
    REQUIRE_MESSAGE(sent.status == 200, sent.body);
  }
  return sid;
}

const json::object& result_for(const weft::RunResult& run, const std::string& sid) {
  for (const auto& r : run.values.at("results").as_array()) {
    if (r.at("session_id").as_string() == sid) return r.as_object();
  }
  FAIL("no triage result for " << sid);
  throw std::logic_error("unreachable");
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

TEST_CASE("offline spam_triage neither reports nor blocks a customer's long webhook-failure thread with links") {
  World world(std::make_shared<weft::OfflineModel>());
  const std::string sid = visitor_conversation(world, kWebhookThread);
  // The newest unread conversation comes first, so limit 1 triages exactly this one.
  auto run = world.run("spam_triage", json::parse(R"({"limit":1})"), "webhook-thread");
  REQUIRE_MESSAGE(run.status == weft::RunStatus::done, (run.error ? run.error->message : ""));
  const auto& r = result_for(run, sid);
  CHECK(r.at("category") == "technical");
  const auto writes = world.writes();
  CHECK_FALSE(contains(sessions_of(writes, "POST", "/report"), sid));
  CHECK_FALSE(contains(sessions_of(writes, "PATCH", "/block"), sid));
  CHECK(contains(sessions_of(writes, "PATCH", "/inbox"), sid));
}

TEST_CASE("offline spam_triage classes a guest-post pitch as spam and reports it without blocking") {
  World world(std::make_shared<weft::OfflineModel>());
  const std::string sid = visitor_conversation(world, kGuestPostPitch);
  auto run = world.run("spam_triage", json::parse(R"({"limit":1,"block_spam":true})"), "guest-post");
  REQUIRE_MESSAGE(run.status == weft::RunStatus::done, (run.error ? run.error->message : ""));
  const auto& r = result_for(run, sid);
  CHECK(r.at("category") == "spam");
  CHECK(r.at("offline") == true);
  CHECK(std::string(r.at("action").as_string()).find("not blocked") != std::string::npos);
  const auto writes = world.writes();
  CHECK(contains(sessions_of(writes, "POST", "/report"), sid));
  CHECK(sessions_of(writes, "PATCH", "/block").empty());
  CHECK(std::string(run.values.at("summary").as_string()).find("never blocked offline") != std::string::npos);
}

TEST_CASE("spam_triage still blocks spam on a language model's verdict when block_spam is on") {
  json::array script;
  script.push_back(json::parse(R"({"content":"{\"category\":\"spam\",\"reason\":\"a guest-post pitch\"}"})"));
  World world(std::make_shared<weft::ScriptedChatModel>(script));
  const std::string sid = visitor_conversation(world, kGuestPostPitch);
  auto run = world.run("spam_triage", json::parse(R"({"limit":1})"), "llm-spam");
  REQUIRE_MESSAGE(run.status == weft::RunStatus::done, (run.error ? run.error->message : ""));
  CHECK(result_for(run, sid).at("action") == "reported as spam and blocked");
  CHECK(contains(sessions_of(world.writes(), "PATCH", "/block"), sid));
}
