// SPDX-License-Identifier: MIT
// The tool catalog as data: it loads, it covers the tools the workflows need, and what the model
// sees never lets it name a website or a fingerprint.
#include "nodes/crisp/catalog.hpp"
#include "nodes/crisp/error.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <doctest/doctest.h>

#include <set>
#include <string>

using namespace weft::crisp;
namespace json = boost::json;

namespace {
std::string minimal_catalog(const std::string& tool) {
  return R"({"format":"weft-crisp-catalog/1","id_kinds":{"session_id":{"pattern":"^session_x$","example":"session_x","source":"a list"}},"tools":[)" +
         tool + "]}";
}
}  // namespace

TEST_CASE("the built-in catalog loads and has at least 30 tools with unique names") {
  const Catalog& catalog = Catalog::builtin();
  CHECK(catalog.entries().size() >= 30);
  std::set<std::string> names;
  for (const auto& e : catalog.entries()) CHECK(names.insert(e.name).second);
}

TEST_CASE("every schema of the built-in catalog compiles, though builtin() compiles them only when used") {
  // builtin() defers compiling; parse() compiles each entry's schema and names the one at fault.
  const Catalog eager = Catalog::parse(builtin_catalog_json());
  CHECK(eager.entries().size() == Catalog::builtin().entries().size());
  const json::value no_arguments = json::object();
  for (const auto& e : Catalog::builtin().entries()) {
    INFO(e.name);
    CHECK(json::serialize(e.schema.source()) == json::serialize(eager.find(e.name)->schema.source()));
    // The lazily compiled schema judges like the eager one (required arguments are missing here).
    CHECK(e.schema.validate(no_arguments).size() == eager.find(e.name)->schema.validate(no_arguments).size());
  }
}

TEST_CASE("a catalog entry with a schema that does not compile is rejected when parsed") {
  const std::string tool =
      R"({"name":"t","description":"d","method":"GET","path":"website/{website_id}","query_schema":{"type":"object","properties":{"q":{"type":"string","pattern":"(unclosed"}}},"side_effecting":false,"effect":{"kind":"read"}})";
  CHECK_THROWS_WITH_AS(Catalog::parse(minimal_catalog(tool)), doctest::Contains("invalid regular expression"),
                       weft::Error);
  const std::string bad_kind =
      R"({"format":"weft-crisp-catalog/1","id_kinds":{"session_id":{"pattern":"^(session_$","example":"x","source":"a list"}},"tools":[]})";
  CHECK_THROWS_WITH_AS(Catalog::parse(bad_kind), doctest::Contains("bad pattern"), weft::Error);
}

TEST_CASE("an id kind's pattern, compiled on first use, accepts exactly its form") {
  const IdKind* session = Catalog::builtin().id_kind("session_id");
  REQUIRE(session != nullptr);
  CHECK(session->matches("session_3ed13b20-fb4a-49f4-90cd-f891f817ae44"));
  CHECK_FALSE(session->matches("session_3ed13b20-fb4a-49f4-90cd-f891f817ae44 "));
  CHECK_FALSE(session->matches("3ed13b20-fb4a-49f4-90cd-f891f817ae44"));
}

TEST_CASE("the catalog has every tool the issue names") {
  const Catalog& catalog = Catalog::builtin();
  for (const char* name : {"list_all_crisp_conversations",
                           "list_all_crisp_messages",
                           "create_a_crisp_message",
                           "crisp_conversations_update_inbox",
                           "list_all_crisp_visitors_lists",
                           "create_a_crisp_conversation",
                           "create_a_crisp_report",
                           "list_all_crisp_spam_conversations",
                           "update_a_crisp_conversation_block_by_id",
                           "create_a_crisp_helpdesk_article",
                           "crisp_helpdesk_articles_publish",
                           "crisp_campaigns_pause",
                           "get_single_crisp_conversation_by_id",
                           "get_single_crisp_conversation_state_by_id",
                           "update_a_crisp_conversation_state_by_id",
                           "list_all_crisp_inboxes",
                           "get_single_crisp_conversation_routing_by_id",
                           "update_a_crisp_conversation_routing_by_id",
                           "get_single_crisp_conversation_meta_by_id",
                           "update_a_crisp_conversation_meta_by_id",
                           "list_all_crisp_helpdesk_locales",
                           "list_all_crisp_helpdesk_articles",
                           "get_single_crisp_helpdesk_article_by_id",
                           "update_a_crisp_helpdesk_article_by_id",
                           "list_all_crisp_campaigns",
                           "crisp_campaigns_resume",
                           "list_all_crisp_people_profiles",
                           "get_single_crisp_people_profile_by_id",
                           "list_all_crisp_operators"}) {
    INFO(name);
    CHECK(catalog.find(name) != nullptr);
  }
}

TEST_CASE("no tool lets the model name a website") {
  for (const auto& e : Catalog::builtin().entries()) {
    INFO(e.name);
    const std::string text = json::serialize(e.parameters);
    CHECK(text.find("\"website_id\"") == std::string::npos);
    CHECK(e.parameters.at("additionalProperties") == json::value(false));
  }
}

TEST_CASE("the message fingerprint is bound by Weft and hidden from the model") {
  const CatalogEntry* e = Catalog::builtin().find("create_a_crisp_message");
  REQUIRE(e != nullptr);
  CHECK(e->bound == std::vector<std::string>{"fingerprint"});
  CHECK_FALSE(e->parameters.at("properties").as_object().contains("fingerprint"));
  CHECK(e->effect == EffectKind::check);
  CHECK(e->side_effecting);
}

TEST_CASE("id arguments carry their pattern and where valid ids come from") {
  const CatalogEntry* e = Catalog::builtin().find("crisp_conversations_update_inbox");
  REQUIRE(e != nullptr);
  const json::object& props = e->parameters.at("properties").as_object();
  const json::object& session = props.at("session_id").as_object();
  CHECK(std::string(session.at("pattern").as_string()).find("session_") != std::string::npos);
  CHECK(std::string(session.at("description").as_string()).find("list_all_crisp_conversations") != std::string::npos);
  const json::object& inbox = props.at("inbox_id").as_object();
  CHECK(std::string(inbox.at("description").as_string()).find("list_all_crisp_inboxes") != std::string::npos);
}

TEST_CASE("every write tool declares how it stays exactly-once") {
  for (const auto& e : Catalog::builtin().entries()) {
    INFO(e.name);
    CHECK(e.side_effecting == (e.effect != EffectKind::read));
    if (e.side_effecting) CHECK_FALSE(e.effect_why.empty());
  }
}

TEST_CASE("the helpdesk article tools have both route families") {
  for (const char* name :
       {"create_a_crisp_helpdesk_article", "crisp_helpdesk_articles_publish", "list_all_crisp_helpdesk_articles",
        "update_a_crisp_helpdesk_article_by_id", "get_single_crisp_helpdesk_article_by_id"}) {
    INFO(name);
    const CatalogEntry* e = Catalog::builtin().find(name);
    REQUIRE(e != nullptr);
    CHECK(e->routes.count(RouteFamily::legacy) == 1);
    CHECK(e->routes.count(RouteFamily::tree) == 1);
  }
  const auto& publish = Catalog::builtin().find("crisp_helpdesk_articles_publish")->routes.at(RouteFamily::tree);
  bool patches_published = false;
  for (const auto& step : publish)
    if (step.method == "PATCH" && step.path.find("helpdesk/tree/metadata/") != std::string::npos &&
        step.body.as_object().at("state").as_object().at("published") == json::value(true))
      patches_published = true;
  CHECK(patches_published);
}

TEST_CASE("a catalog entry whose path names an unknown variable is rejected") {
  const std::string tool =
      R"({"name":"t","description":"d","method":"GET","path":"website/{website_id}/x/{nope}","side_effecting":false,"effect":{"kind":"read"}})";
  try {
    Catalog::parse(minimal_catalog(tool));
    FAIL("expected invalid_catalog");
  } catch (const weft::Error& e) {
    CHECK(e.code() == make_error_code(error::invalid_catalog));
    CHECK(std::string(e.what()).find("{nope}") != std::string::npos);
  }
}

TEST_CASE("a catalog entry that makes website_id an argument is rejected") {
  const std::string tool =
      R"({"name":"t","description":"d","method":"GET","path":"website/{website_id}","path_schema":{"type":"object","properties":{"website_id":{"type":"string"}}},"side_effecting":false,"effect":{"kind":"read"}})";
  CHECK_THROWS_WITH_AS(Catalog::parse(minimal_catalog(tool)), doctest::Contains("website_id"), weft::Error);
}

TEST_CASE("a write tool without an effect strategy is rejected") {
  const std::string tool =
      R"({"name":"t","description":"d","method":"POST","path":"website/{website_id}","side_effecting":true,"effect":{"kind":"read"}})";
  CHECK_THROWS_AS(Catalog::parse(minimal_catalog(tool)), weft::Error);
}

TEST_CASE("adding an endpoint is adding an entry") {
  const std::string tool =
      R"({"name":"get_single_crisp_website_availability","description":"Availability.","method":"GET","path":"website/{website_id}/availability/status","side_effecting":false,"effect":{"kind":"read"}})";
  const Catalog catalog = Catalog::parse(minimal_catalog(tool));
  REQUIRE(catalog.find("get_single_crisp_website_availability") != nullptr);
  CHECK(catalog.find("get_single_crisp_website_availability")->path == "website/{website_id}/availability/status");
}
