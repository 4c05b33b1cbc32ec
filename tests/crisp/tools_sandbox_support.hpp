// SPDX-License-Identifier: MIT
#pragma once
// The Crisp tool tests' shared setup against the in-process sandbox: real ids of the seeded
// sandbox found through the tools themselves, and valid arguments for every catalog tool.

#include "tests/crisp/support.hpp"

#include "nodes/crisp/error.hpp"
#include "nodes/crisp/register.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <doctest/doctest.h>

#include <functional>
#include <map>
#include <set>

using namespace weft::crisp;
using weft::crisp::test::Env;
using weft::crisp::test::EnvOptions;
namespace json = boost::json;

namespace tools_sandbox_test {

inline std::string str(const json::value& v, const char* dotted) {
  const json::value* at = &v;
  std::string_view path(dotted);
  while (!path.empty()) {
    const auto dot = path.find('.');
    at = &at->as_object().at(path.substr(0, dot));
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
  }
  return std::string(at->as_string());
}

// Real ids of the seeded sandbox, found through the tools themselves.
struct Ids {
  std::string session, inbox, user, people, campaign, spam, locale;
  std::int64_t fingerprint = 0;
  std::string tree_path, article_id;
  int counter = 0;
};

inline Ids discover(Env& env) {
  Ids ids;
  const json::value conversations = env.call("list_all_crisp_conversations", "{}");
  REQUIRE(conversations.as_array().size() > 1);
  ids.session = str(conversations.as_array()[0], "session_id");
  const json::value messages =
      env.call("list_all_crisp_messages", json::value(json::object{{"session_id", ids.session}}));
  REQUIRE_FALSE(messages.as_array().empty());
  ids.fingerprint = messages.as_array()[0].at("fingerprint").to_number<std::int64_t>();
  ids.inbox = str(env.call("list_all_crisp_inboxes", "{}").as_array().at(0), "inbox_id");
  ids.user = str(env.call("list_all_crisp_operators", "{}").as_array().at(0), "details.user_id");
  ids.people = str(env.call("list_all_crisp_people_profiles", "{}").as_array().at(0), "people_id");
  ids.campaign = str(env.call("list_all_crisp_campaigns", "{}").as_array().at(0), "campaign_id");
  ids.spam = str(env.call("list_all_crisp_spam_conversations", "{}").as_array().at(0), "spam_id");
  ids.locale = str(env.call("list_all_crisp_helpdesk_locales", "{}").as_array().at(0), "locale");
  return ids;
}

using Builder = std::function<json::object(Ids&)>;

inline json::object with_session(Ids& ids, json::object extra = {}) {
  extra["session_id"] = ids.session;
  return extra;
}

// Valid arguments for every tool, in an order where each call's prerequisites exist (an article
// is created before it is published, published before its page is asked for).
inline std::vector<std::pair<std::string, Builder>> valid_calls(RouteFamily family) {
  auto article = [family](Ids& ids, json::object extra) {
    extra["locale"] = ids.locale;
    if (family == RouteFamily::tree)
      extra["tree_path"] = ids.tree_path;
    else
      extra["article_id"] = ids.article_id;
    return extra;
  };
  return {
      {"list_all_crisp_conversations",
       [](Ids&) {
         return json::object{{"per_page", 20}, {"filter_not_resolved", 1}};
       }},
      {"get_single_crisp_conversation_by_id", [](Ids& ids) { return with_session(ids); }},
      {"create_a_crisp_conversation", [](Ids&) { return json::object(); }},
      {"list_all_crisp_messages", [](Ids& ids) { return with_session(ids); }},
      {"get_single_crisp_message_by_id",
       [](Ids& ids) {
         return with_session(ids, {{"fingerprint", ids.fingerprint}});
       }},
      {"create_a_crisp_message",
       [](Ids& ids) {
         return with_session(ids, {{"type", "text"}, {"from", "operator"}, {"content", "Hello from Weft"}});
       }},
      {"get_single_crisp_conversation_state_by_id", [](Ids& ids) { return with_session(ids); }},
      {"update_a_crisp_conversation_state_by_id",
       [](Ids& ids) {
         return with_session(ids, {{"state", "unresolved"}});
       }},
      {"crisp_conversations_update_inbox",
       [](Ids& ids) {
         return with_session(ids, {{"inbox_id", ids.inbox}});
       }},
      {"get_single_crisp_conversation_routing_by_id", [](Ids& ids) { return with_session(ids); }},
      {"update_a_crisp_conversation_routing_by_id",
       [](Ids& ids) {
         return with_session(ids, {{"assigned", json::object{{"user_id", ids.user}}}});
       }},
      {"get_single_crisp_conversation_meta_by_id", [](Ids& ids) { return with_session(ids); }},
      {"update_a_crisp_conversation_meta_by_id",
       [](Ids& ids) {
         return with_session(ids, {{"nickname", "Ada"}, {"segments", json::array{"vip"}}});
       }},
      {"get_single_crisp_conversation_block_by_id", [](Ids& ids) { return with_session(ids); }},
      {"update_a_crisp_conversation_block_by_id",
       [](Ids& ids) {
         return with_session(ids, {{"blocked", true}});
       }},
      {"create_a_crisp_report",
       [](Ids& ids) {
         return with_session(ids, {{"flag", "spam"}});
       }},
      {"crisp_conversations_mark_read", [](Ids& ids) { return with_session(ids); }},
      {"list_all_crisp_spam_conversations", [](Ids&) { return json::object(); }},
      {"get_single_crisp_spam_conversation_by_id",
       [](Ids& ids) {
         return json::object{{"spam_id", ids.spam}};
       }},
      {"list_all_crisp_inboxes", [](Ids&) { return json::object(); }},
      {"list_all_crisp_operators", [](Ids&) { return json::object(); }},
      {"list_all_crisp_visitors_lists",
       [](Ids&) {
         return json::object{{"page_number", 1}};
       }},
      {"get_single_crisp_visitors_count", [](Ids&) { return json::object(); }},
      {"crisp_analytics_generate",
       [](Ids&) {
         return json::object{{"metric", "conversations"},
                             {"date", json::object{{"from", "2020-01-01"}, {"to", "2030-01-01"}}},
                             {"classifier", "inbox"}};
       }},
      {"list_all_crisp_people_profiles",
       [](Ids&) {
         return json::object{{"per_page", 20}};
       }},
      {"get_single_crisp_people_profile_by_id",
       [](Ids& ids) {
         return json::object{{"people_id", ids.people}};
       }},
      {"create_a_crisp_people_profile",
       [](Ids& ids) {
         return json::object{{"email", "weft.test" + std::to_string(++ids.counter) + "@example.com"},
                             {"person", json::object{{"nickname", "Weft Test"}}}};
       }},
      {"list_all_crisp_people_conversations",
       [](Ids& ids) {
         return json::object{{"people_id", ids.people}};
       }},
      {"list_all_crisp_campaigns", [](Ids&) { return json::object(); }},
      {"get_single_crisp_campaign_by_id",
       [](Ids& ids) {
         return json::object{{"campaign_id", ids.campaign}};
       }},
      {"crisp_campaigns_pause",
       [](Ids& ids) {
         return json::object{{"campaign_id", ids.campaign}};
       }},
      {"crisp_campaigns_resume",
       [](Ids& ids) {
         return json::object{{"campaign_id", ids.campaign}};
       }},
      {"list_all_crisp_helpdesk_locales", [](Ids&) { return json::object(); }},
      {"list_all_crisp_helpdesk_articles",
       [](Ids& ids) {
         return json::object{{"locale", ids.locale}};
       }},
      {"create_a_crisp_helpdesk_article",
       [](Ids& ids) {
         return json::object{{"locale", ids.locale},
                             {"title", "Weft test article " + std::to_string(++ids.counter)},
                             {"description", "How Weft tests articles"},
                             {"content", "# Steps\n\n1. Open the settings."}};
       }},
      {"get_single_crisp_helpdesk_article_by_id", [article](Ids& ids) { return article(ids, {}); }},
      {"update_a_crisp_helpdesk_article_by_id",
       [article](Ids& ids) {
         return article(ids, {{"content", "# Steps\n\n1. Open the settings.\n2. Save."}});
       }},
      {"crisp_helpdesk_articles_publish", [article](Ids& ids) { return article(ids, {}); }},
      {"get_single_crisp_helpdesk_article_page_by_id", [article](Ids& ids) { return article(ids, {}); }},
      {"crisp_helpdesk_articles_unpublish", [article](Ids& ids) { return article(ids, {}); }},
  };
}

// Runs every tool once with valid arguments; checks each result and that writes reach the log.
inline void every_tool_succeeds(Env& env, RouteFamily family) {
  Ids ids = discover(env);
  std::set<std::string> covered;
  for (auto& [name, build] : valid_calls(family)) {
    INFO("tool ", name);
    covered.insert(name);
    const CatalogEntry* entry = Catalog::builtin().find(name);
    REQUIRE(entry != nullptr);
    const std::size_t effects_before = env.effects().size();
    json::value result;
    try {
      result = env.call(name, json::value(build(ids)));
    } catch (const std::exception& e) {
      FAIL_CHECK(name << " failed: " << e.what());
      continue;
    }
    CHECK((result.is_object() || result.is_array()));
    const std::size_t effects_after = env.effects().size();
    if (entry->side_effecting)
      CHECK(effects_after > effects_before);
    else
      CHECK(effects_after == effects_before);
    if (name == "create_a_crisp_message") CHECK(result.at("fingerprint").is_number());
    if (name == "create_a_crisp_conversation")
      CHECK(std::string(result.at("session_id").as_string()).starts_with("session_"));
    if (name == "get_single_crisp_conversation_by_id") CHECK(str(result, "session_id") == ids.session);
    if (name == "create_a_crisp_helpdesk_article") {
      CHECK(str(result, "route_family") == std::string(to_string(family)));
      if (family == RouteFamily::tree)
        ids.tree_path = str(result, "tree_path");
      else
        ids.article_id = str(result, "article_id");
    }
    if (name == "crisp_helpdesk_articles_publish") CHECK(result.at("published") == json::value(true));
  }
  // A tool added to the catalog without a case here fails this test.
  for (const auto& e : Catalog::builtin().entries()) {
    INFO("tool without a sandbox case: ", e.name);
    CHECK(covered.count(e.name) == 1);
  }
}

}  // namespace tools_sandbox_test
