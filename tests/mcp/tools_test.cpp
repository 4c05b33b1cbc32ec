// SPDX-License-Identifier: MIT
// tools/call against the in-process Crisp sandbox: the graphs' path (validation before any
// request, website scoping, the journal making a retried write single), the rate-limit state in
// every result, and the analytics tool.

#include "support.hpp"
#include "testing/crisp_sandbox.hpp"

#include <doctest/doctest.h>

#include <boost/json/serialize.hpp>

#include <algorithm>

namespace json = boost::json;
using weft::mcp::test::Fixture;

namespace {

weft::crisp::CrispConfig sandbox_config(const weft::testing::CrispSandbox& sandbox) {
  weft::crisp::CrispConfig config;
  config.base_url = sandbox.api_url();
  config.identifier = sandbox.credentials().identifier;
  config.key = sandbox.credentials().key;
  config.website_id = sandbox.website_id();
  config.tier = weft::crisp::Tier::plugin;
  return config;
}

json::array effects(const weft::testing::CrispSandbox& sandbox) {
  return json::parse(sandbox.effects_json()).at("effects").as_array();
}

std::size_t sent_with(const weft::testing::CrispSandbox& sandbox, std::string_view text) {
  std::size_t n = 0;
  for (const auto& e : effects(sandbox)) {
    const json::value* body = e.as_object().if_contains("body");
    if (body && body->is_object() && body->as_object().contains("content") && body->at("content") == json::value(text))
      ++n;
  }
  return n;
}

std::string first_session(Fixture& f) {
  json::object list = f.call("list_all_crisp_conversations", R"({"page_number":1})");
  REQUIRE(list.at("isError") == false);
  return std::string(list.at("structuredContent").at("result").as_array().at(0).at("session_id").as_string());
}

}  // namespace

TEST_CASE("a message call retried by the client is sent once, also by a restarted server on the same journal") {
  weft::testing::CrispSandbox sandbox;
  sandbox.start();
  Fixture f({}, sandbox_config(sandbox));
  f.initialize();
  const std::string session = first_session(f);
  const std::string args =
      R"({"session_id":")" + session + R"(","type":"text","from":"operator","content":"once via mcp"})";
  json::object first = f.call("create_a_crisp_message", args);
  REQUIRE(first.at("isError") == false);
  json::object again = f.call("create_a_crisp_message", args);
  CHECK(again.at("isError") == false);
  CHECK(again.at("structuredContent").at("result") == first.at("structuredContent").at("result"));
  CHECK(sent_with(sandbox, "once via mcp") == 1);

  // A new server process over the same database (here: the same journal) replays it too.
  f.restart();
  f.initialize();
  CHECK(f.call("create_a_crisp_message", args).at("isError") == false);
  CHECK(sent_with(sandbox, "once via mcp") == 1);

  // Different text is a different call.
  const std::string other =
      R"({"session_id":")" + session + R"(","type":"text","from":"operator","content":"twice via mcp"})";
  Fixture g({}, sandbox_config(sandbox));
  g.initialize();
  CHECK(g.call("create_a_crisp_message", other).at("isError") == false);
  CHECK(sent_with(sandbox, "twice via mcp") == 1);
}

TEST_CASE("bad arguments and another website are refused as isError results before any request") {
  weft::testing::CrispSandbox sandbox;
  sandbox.start();
  Fixture f({}, sandbox_config(sandbox));
  f.initialize();
  const std::string session = first_session(f);
  const std::size_t before = effects(sandbox).size();

  json::object bad = f.call("create_a_crisp_message",
                            R"({"session_id":")" + session + R"(","type":"text","from":"operator","content":42})");
  CHECK(bad.at("isError") == true);
  const std::string text(bad.at("content").at(0).at("text").as_string());
  CHECK(text.find("content") != std::string::npos);
  CHECK(text.find("Nothing was sent") != std::string::npos);

  json::object bad_id = f.call("create_a_crisp_message",
                               R"({"session_id":"session_../x","type":"text","from":"operator","content":"x"})");
  CHECK(bad_id.at("isError") == true);

  json::object elsewhere = f.call("list_all_crisp_conversations",
                                  R"({"page_number":1,"website_id":"8c842203-7ed8-4e29-a608-7cf78a7d2fcc"})");
  CHECK(elsewhere.at("isError") == true);
  CHECK(std::string(elsewhere.at("content").at(0).at("text").as_string()).find("website_id") != std::string::npos);
  CHECK(effects(sandbox).size() == before);
}

TEST_CASE("every tool result carries the upstream rate-limit state in IETF fields") {
  weft::testing::CrispSandboxOptions options;
  options.rate_limits = true;
  weft::testing::CrispSandbox sandbox(options);
  sandbox.start();
  Fixture f({}, sandbox_config(sandbox));
  f.initialize();
  json::object result = f.call("get_single_crisp_visitors_count", "{}");
  REQUIRE(result.at("isError") == false);
  const json::object& rl = result.at("structuredContent").at("rate_limit").as_object();
  REQUIRE(rl.at("limit").is_int64());
  REQUIRE(rl.at("remaining").is_int64());
  REQUIRE(rl.at("reset").is_int64());
  CHECK(rl.at("limit").as_int64() == 40);  // the sandbox's burst
  CHECK(rl.at("remaining").as_int64() < rl.at("limit").as_int64());
  CHECK(rl.at("reset").as_int64() >= 0);
  // The text block is the same structured content, for clients that read only text.
  CHECK(json::parse(result.at("content").at(0).at("text").as_string()) == result.at("structuredContent"));
}

TEST_CASE("read-only offers no write tool and the allow-list offers only the named tools") {
  weft::mcp::McpOptions read_only;
  read_only.read_only = true;
  Fixture f(read_only);
  f.initialize();
  const json::array tools =
      f.send_json(R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})").at("result").at("tools").as_array();
  CHECK(tools.size() > 20);
  for (const auto& t : tools) CHECK(t.at("annotations").at("readOnlyHint") == true);
  CHECK(std::none_of(tools.begin(), tools.end(),
                     [](const json::value& t) { return t.at("name") == "create_a_crisp_message"; }));
  // A hidden tool cannot be called either.
  json::value hidden = f.send_json(
      R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"create_a_crisp_message","arguments":{}}})");
  CHECK(hidden.at("error").at("code") == weft::mcp::rpc_error::invalid_params);

  weft::mcp::McpOptions some;
  some.tools = {"list_all_crisp_conversations", "crisp_analytics_generate"};
  Fixture g(some);
  CHECK(g.server->tool_names() == std::vector<std::string>{"list_all_crisp_conversations", "crisp_analytics_generate"});

  weft::mcp::McpOptions unknown;
  unknown.tools = {"list_all_crisp_conversation"};
  CHECK_THROWS_WITH_AS(Fixture{unknown}, doctest::Contains("list_all_crisp_conversation"), std::invalid_argument);
}

TEST_CASE("analytics: conversations by inbox over a date range, from the sandbox's world, never logged as a write") {
  weft::testing::CrispSandbox sandbox;
  sandbox.start();
  Fixture f({}, sandbox_config(sandbox));
  f.initialize();
  json::object all =
      f.call("crisp_analytics_generate",
             R"({"metric":"conversations","date":{"from":"2020-01-01","to":"2030-01-01"},"classifier":"inbox"})");
  REQUIRE(all.at("isError") == false);
  const json::object& data = all.at("structuredContent").at("result").as_object();
  const std::int64_t total = data.at("total").at("count").as_int64();
  CHECK(total > 0);
  std::int64_t sum = 0;
  for (const auto& p : data.at("points").as_array()) sum += p.at("count").as_int64();
  CHECK(sum == total);

  // One inbox, filtered, matches its point.
  const json::object& point = data.at("points").as_array().at(0).as_object();
  if (point.at("key") != "none") {
    json::object one = f.call(
        "crisp_analytics_generate",
        R"({"metric":"first_response_time","date":{"from":"2020-01-01","to":"2030-01-01"},"filter":{"inbox_id":")" +
            std::string(point.at("key").as_string()) + R"("}})");
    REQUIRE(one.at("isError") == false);
    CHECK(one.at("structuredContent").at("result").at("total").at("count") == point.at("count"));
    CHECK(one.at("structuredContent").at("result").at("total").as_object().contains("median_s"));
  }
  // An empty range counts nothing; a bad date is refused before the request.
  json::object none = f.call("crisp_analytics_generate",
                             R"({"metric":"conversations","date":{"from":"2001-01-01","to":"2001-01-02"}})");
  CHECK(none.at("structuredContent").at("result").at("total").at("count") == 0);
  json::object bad =
      f.call("crisp_analytics_generate", R"({"metric":"conversations","date":{"from":"last week","to":"2001-01-02"}})");
  CHECK(bad.at("isError") == true);
  CHECK(effects(sandbox).empty());
}
