// SPDX-License-Identifier: MIT
// The client against the sandbox: envelope and typed errors, pagination, messages paging
// backwards, faults (429 storms, 5xx, drops, quota), the token bucket under a fan-out, the
// helpdesk family probe, and no secret in any error.
#include "tests/crisp/support.hpp"

#include "nodes/crisp/error.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <doctest/doctest.h>

#include <openssl/evp.h>

#include <cstdlib>
#include <set>
#include <stdexcept>

using namespace weft::crisp;
using weft::crisp::test::Env;
using weft::crisp::test::EnvOptions;
namespace json = boost::json;

namespace {

std::string base64(const std::string& in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// Fails the test if `message` shows any part of the credentials.
void check_no_secret(const std::string& message, const CrispConfig& config) {
  INFO(message);
  CHECK(message.find(config.key) == std::string::npos);
  CHECK(message.find(config.identifier) == std::string::npos);
  CHECK(message.find(base64(config.identifier + ":" + config.key)) == std::string::npos);
}

std::string conversations_prefix(Env& env) { return env.client().website_path("conversations"); }

// Calls `tool` with `args_json` through `env`; the call must fail with a typed ApiError, which is
// returned for the test to check.
ApiError call_error(Env& env, const std::string& tool, const char* args_json) {
  try {
    env.call(tool, args_json);
  } catch (const ApiError& e) {
    return e;
  }
  FAIL("succeeded: " << tool);
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("page-numbered lists are read page by page until an empty page") {
  Env env;
  json::object query{{"per_page", 20}};
  const json::array all = env.run(env.client().list_all_pages(conversations_prefix(env), query));
  const json::value page1 = env.run(env.client().get(conversations_prefix(env) + "/1", query));
  const json::value page2 = env.run(env.client().get(conversations_prefix(env) + "/2", query));
  REQUIRE(page1.as_array().size() == 20);
  CHECK(all.size() > 20);  // the seed has more than one page
  std::set<std::string> ids;
  for (const auto& c : all) ids.insert(std::string(c.at("session_id").as_string()));
  CHECK(ids.size() == all.size());  // no page read twice
  CHECK(all[0] == page1.as_array()[0]);
  CHECK(all[20] == page2.as_array()[0]);
  // The tool reads one page at a time, as the model asks.
  const json::value tool_page2 = env.call("list_all_crisp_conversations", R"({"page_number":2,"per_page":20})");
  CHECK(tool_page2 == page2);
}

TEST_CASE("messages page backwards with timestamp_before, oldest first") {
  Env env;
  const std::string session = std::string(env.call("create_a_crisp_conversation", "{}").at("session_id").as_string());
  const std::string path = env.client().website_path("conversation/" + session + "/message");
  for (int i = 0; i < 95; ++i) {
    json::object body{{"type", "text"},
                      {"from", i % 2 ? "user" : "operator"},
                      {"origin", "chat"},
                      {"content", "message " + std::to_string(i)}};
    env.run(env.client().request("POST", path, {}, json::value(body)));
  }
  const json::array latest = env.run(env.client().list_messages(session));
  CHECK(latest.size() == 40);
  CHECK(latest.back().at("content") == json::value("message 94"));
  const std::int64_t oldest = latest.front().at("timestamp").as_int64();
  const json::array older = env.run(env.client().list_messages(session, oldest));
  // Strictly older (several messages may share the boundary millisecond, so not always 40).
  REQUIRE_FALSE(older.empty());
  CHECK(older.size() <= 40);
  for (const auto& m : older) CHECK(m.at("timestamp").as_int64() < oldest);
  const json::array all = env.run(env.client().list_all_messages(session));
  REQUIRE(all.size() == 95);
  for (int i = 0; i < 95; ++i)
    CHECK(all[static_cast<std::size_t>(i)].at("content") == json::value("message " + std::to_string(i)));
  // The tool exposes the same cursor to the model.
  json::object args{{"session_id", session}, {"timestamp_before", oldest}};
  CHECK(env.call("list_all_crisp_messages", json::value(args)) == json::value(older));
}

TEST_CASE("a 429 storm is waited out and the call succeeds") {
  Env env;
  weft::sandbox::crisp::Faults faults;
  faults.storm_429 = 3;
  faults.storm_retry_after = 0;
  env.sandbox().set_faults(faults);
  const json::value inboxes = env.call("list_all_crisp_inboxes", "{}");
  CHECK_FALSE(inboxes.as_array().empty());
  CHECK(env.requests().at("by_status").at("429").to_number<std::int64_t>() == 3);
}

TEST_CASE("transient 5xx and dropped connections are retried and the call succeeds") {
  Env env;
  weft::sandbox::crisp::Faults faults;
  faults.error_next = 2;
  env.sandbox().set_faults(faults);
  CHECK_FALSE(env.call("list_all_crisp_operators", "{}").as_array().empty());
  faults = {};
  faults.drop_next = 2;
  env.sandbox().set_faults(faults);
  CHECK_FALSE(env.call("list_all_crisp_inboxes", "{}").as_array().empty());
}

TEST_CASE("a persistent 5xx fails with the typed server_error") {
  Env env;
  weft::sandbox::crisp::Faults faults;
  faults.error_rate = 1.0;
  faults.error_status = 503;
  env.sandbox().set_faults(faults);
  const ApiError e = call_error(env, "list_all_crisp_inboxes", "{}");
  CHECK(e.code() == make_error_code(error::server_error));
  CHECK(e.status() == 503);
  check_no_secret(e.what(), env.config());
}

TEST_CASE("an endless 429 storm fails with the typed rate_limited") {
  Env env;
  weft::sandbox::crisp::Faults faults;
  faults.storm_429 = 1000;
  faults.storm_retry_after = 0;
  env.sandbox().set_faults(faults);
  const ApiError e = call_error(env, "list_all_crisp_inboxes", "{}");
  CHECK(e.code() == make_error_code(error::rate_limited));
  check_no_secret(e.what(), env.config());
}

TEST_CASE("an exhausted daily quota fails with the typed quota_limit_exceeded") {
  Env env;
  weft::sandbox::crisp::Limits limits;
  limits.rate_per_second = 1000;
  limits.burst = 1000;
  limits.quota_plugin = 2;
  env.sandbox().set_limits(limits);
  env.call("list_all_crisp_inboxes", "{}");
  env.call("list_all_crisp_inboxes", "{}");
  const ApiError e = call_error(env, "list_all_crisp_inboxes", "{}");
  CHECK(e.code() == make_error_code(error::quota_limit_exceeded));
  CHECK(e.status() == 423);
}

TEST_SUITE("soak") {
  TEST_CASE("the token bucket keeps a 100-conversation fan-out at few 429s") {
    EnvOptions options;
    options.generous_limits = false;
    Env env(options);
    weft::http::HostLimits host;  // the client stays under it
    host.rate = 35;
    host.burst = 10;
    host.max_concurrency = 16;
    env.http().set_host_limits("127.0.0.1:" + std::to_string(env.sandbox().port()), host);

    json::array conversations =
        env.run(env.client().list_all_pages(conversations_prefix(env), json::object{{"per_page", 50}}, 3));
    while (conversations.size() < 100) conversations.push_back(env.call("create_a_crisp_conversation", "{}"));
    REQUIRE(conversations.size() >= 100);
    weft::sandbox::crisp::Limits limits;  // the sandbox: 40/s, burst 20 per token
    limits.rate_per_second = 40;
    limits.burst = 20;
    env.sandbox().set_limits(limits);
    const auto before = env.requests();
    // Spawned from this thread; the futures are waited here, not on the io thread.
    std::vector<std::future<json::value>> pending;
    for (std::size_t i = 0; i < 100; ++i) {
      json::object args{{"session_id", conversations[i].at("session_id")}};
      pending.push_back(
          boost::asio::co_spawn(env.io(), env.tools().call("get_single_crisp_conversation_by_id", json::value(args)),
                                boost::asio::use_future));
    }
    std::size_t ok = 0;
    for (auto& f : pending) {
      const json::value c = f.get();
      if (c.is_object()) ++ok;
    }
    CHECK(ok == 100);
    const auto after = env.requests();
    const auto count_429 = [](const json::object& r) -> std::int64_t {
      const auto* n = r.at("by_status").as_object().if_contains("429");
      return n ? n->to_number<std::int64_t>() : 0;
    };
    CHECK(count_429(after) - count_429(before) <= 3);
  }
}

TEST_CASE("the helpdesk family is probed: tree when the tree routes answer, legacy otherwise") {
  {
    Env env;  // sandbox mode both: the tree list answers
    CHECK(env.run(env.tools().helpdesk_family("en")) == RouteFamily::tree);
  }
  {
    EnvOptions options;
    options.helpdesk_mode = "legacy";
    Env env(options);
    CHECK(env.run(env.tools().helpdesk_family("en")) == RouteFamily::legacy);
    // A setting overrides the probe.
    CrispConfig config = env.config();
    config.helpdesk_routes = HelpdeskRoutes::tree;
    CHECK(env.run(env.tools_for(config)->helpdesk_family("en")) == RouteFamily::tree);
  }
}

TEST_CASE("a website migrated to the tree routes is probed again after a legacy route disappears") {
  EnvOptions options;
  options.helpdesk_mode = "legacy";
  Env env(options);
  CHECK(env.run(env.tools().helpdesk_family("en")) == RouteFamily::legacy);
  env.admin("helpdesk_mode", R"({"mode":"tree"})");
  CHECK_THROWS_AS(env.call("list_all_crisp_helpdesk_articles", R"({"locale":"en"})"), ApiError);
  const json::value articles = env.call("list_all_crisp_helpdesk_articles", R"({"locale":"en"})");
  CHECK(articles.is_array());
  CHECK(env.run(env.tools().helpdesk_family("en")) == RouteFamily::tree);
}

TEST_CASE("a plan without a knowledge base is reported, not mistaken for a route family") {
  Env env;
  weft::sandbox::crisp::Faults faults;
  faults.helpdesk_402 = true;
  env.sandbox().set_faults(faults);
  CHECK(call_error(env, "list_all_crisp_helpdesk_articles", R"({"locale":"en"})").code() ==
        make_error_code(error::subscription_upgrade_required));
}

TEST_CASE("wrong credentials fail with unauthorized and no secret in any error") {
  Env env;
  CrispConfig bad = env.config();
  bad.key = std::string(64, 'f');
  auto tools = env.tools_for(bad);
  std::vector<std::string> messages;
  try {
    env.run(tools->call("list_all_crisp_inboxes", json::object()));
    FAIL("succeeded");
  } catch (const ApiError& e) {
    CHECK(e.code() == make_error_code(error::unauthorized));
    messages.push_back(e.what());
  }
  // Every other error path too: rejection, not_found, not_subscribed, transport.
  try {
    env.call("get_single_crisp_conversation_by_id", R"({"session_id":"nope"})");
  } catch (const std::exception& e) {
    messages.push_back(e.what());
  }
  try {
    env.call("get_single_crisp_conversation_by_id", R"({"session_id":"session_00000000-0000-4000-8000-000000000000"})");
  } catch (const std::exception& e) {
    messages.push_back(e.what());
  }
  CrispConfig other = env.config();
  other.website_id = env.sandbox().other_website_id();
  try {
    env.run(env.tools_for(other)->call("list_all_crisp_inboxes", json::object()));
  } catch (const std::exception& e) {
    messages.push_back(e.what());
  }
  CrispConfig closed = env.config();
  closed.base_url = "http://127.0.0.1:1/v1/";
  try {
    env.run(env.tools_for(closed)->call("list_all_crisp_inboxes", json::object()));
  } catch (const ApiError& e) {
    messages.push_back(e.what());
  } catch (const weft::Error& e) {
    CHECK(e.code() == make_error_code(error::transport));
    messages.push_back(e.what());
  }
  CHECK(messages.size() == 5);
  for (const auto& m : messages) {
    check_no_secret(m, env.config());
    check_no_secret(m, bad);
  }
}

TEST_CASE("the configuration comes from the environment and never shows the key") {
  ::setenv("CRISP_API_IDENTIFIER", "7c3ef21c-1e04-41ce-8c06-5605c346f73e", 1);
  ::setenv("CRISP_API_KEY", "cc29e1a5086e428fcc6a697d5837a66d82808e65c5cce006fbf2191ceea80a0a", 1);
  ::setenv("CRISP_WEBSITE_ID", "8c842203-7ed8-4e29-a608-7cf78a7d2fcc", 1);
  ::setenv("CRISP_API_URL", "http://127.0.0.1:9/v1", 1);
  const CrispConfig c = CrispConfig::from_env();
  CHECK(c.base_url == "http://127.0.0.1:9/v1/");
  CHECK(c.tier == Tier::plugin);
  CHECK(c.helpdesk_routes == HelpdeskRoutes::automatic);
  CHECK(c.authorization() == "Basic " + base64(c.identifier + ":" + c.key));
  check_no_secret(c.describe(), c);
  ::unsetenv("CRISP_API_KEY");
  try {
    CrispConfig::from_env();
    FAIL("accepted");
  } catch (const weft::Error& e) {
    CHECK(e.code() == make_error_code(error::missing_config));
    CHECK(std::string(e.what()).find("CRISP_API_KEY") != std::string::npos);
  }
  ::unsetenv("CRISP_API_IDENTIFIER");
  ::unsetenv("CRISP_WEBSITE_ID");
  ::unsetenv("CRISP_API_URL");
  CHECK_FALSE(CrispConfig::from_env_if_set().has_value());
}
