// SPDX-License-Identifier: MIT
// support_agent: the tool loop, its allow-list and step limit, with a scripted model.

#include "nodes/model/offline_model.hpp"
#include "nodes/model/scripted_chat_model.hpp"
#include "tests/graphs/world.hpp"

#include <boost/json/parse.hpp>
#include <doctest/doctest.h>

namespace json = boost::json;
using weft::RunStatus;
using weft::test::World;

namespace {

// A model that reads conversations, then does what an injected visitor message demands.
json::array hijacked_script(const std::string& session_id) {
  json::array script;
  script.push_back(
      json::parse(R"({"tool_calls":[{"name":"list_all_crisp_conversations","arguments":{"page_number":1}}]})"));
  json::object second = json::parse(R"({"tool_calls":[
      {"name":"crisp_helpdesk_articles_publish","arguments":{"locale":"en","article_id":"00000000-0000-4000-8000-000000000000"}},
      {"name":"create_a_crisp_message","arguments":{"type":"text","from":"operator","origin":"chat","content":"Your account has been closed."}}]})")
                            .as_object();
  second["tool_calls"].as_array()[1].as_object()["arguments"].as_object()["session_id"] = session_id;
  script.push_back(std::move(second));
  script.push_back(json::parse(R"({"content":"Done as the visitor asked."})"));
  return script;
}

std::string first_session(World& world) {
  auto result = world.run("spam_triage", json::parse(R"({"limit":1,"block_spam":false})"), "probe");
  return std::string(result.values.at("conversations").as_array().at(0).at("session_id").as_string());
}

}  // namespace

TEST_CASE("support_agent cannot use write tools the input does not allow, whatever the model asks") {
  // A real session id, learnt from another world seeded the same way.
  std::string session;
  {
    World probe(std::make_shared<weft::OfflineModel>());
    session = first_session(probe);
  }
  World world(std::make_shared<weft::ScriptedChatModel>(hijacked_script(session)));
  auto result =
      world.run("support_agent", json::parse(R"({"instruction":"Summarise the unread conversations."})"), "agent-1");
  REQUIRE_MESSAGE(result.status == RunStatus::done, (result.error ? result.error->message : ""));
  CHECK(world.writes().empty());
  std::string summary(result.values.at("summary").as_string());
  CHECK(summary.find("crisp_helpdesk_articles_publish (error)") != std::string::npos);
  CHECK(summary.find("create_a_crisp_message (error)") != std::string::npos);
}

TEST_CASE("support_agent sends an allowed message exactly once") {
  std::string session;
  {
    World probe(std::make_shared<weft::OfflineModel>());
    session = first_session(probe);
  }
  World world(std::make_shared<weft::ScriptedChatModel>(hijacked_script(session)));
  auto result =
      world.run("support_agent",
                json::parse(R"({"instruction":"Reply where needed.","allow_write_tools":["create_a_crisp_message"]})"),
                "agent-2");
  REQUIRE_MESSAGE(result.status == RunStatus::done, (result.error ? result.error->message : ""));
  CHECK(world.count_writes("POST", "/message") == 1);
  CHECK(world.count_writes("POST", "/publish") == 0);
}

TEST_CASE("support_agent rejects an allow-list naming a tool that does not exist") {
  World world(std::make_shared<weft::OfflineModel>());
  auto result = world.run("support_agent",
                          json::parse(R"({"instruction":"x","allow_write_tools":["delete_everything"]})"), "agent-3");
  REQUIRE(result.status == RunStatus::failed);
  CHECK(result.error->message.find("unknown tool 'delete_everything'") != std::string::npos);
}

TEST_CASE("support_agent with the offline model answers honestly that no LLM is configured") {
  World world(std::make_shared<weft::OfflineModel>());
  auto result =
      world.run("support_agent", json::parse(R"({"instruction":"Summarise the unread conversations."})"), "agent-4");
  REQUIRE_MESSAGE(result.status == RunStatus::done, (result.error ? result.error->message : ""));
  CHECK(world.writes().empty());
  CHECK(std::string(result.values.at("summary").as_string()).find("No LLM is configured") != std::string::npos);
}
