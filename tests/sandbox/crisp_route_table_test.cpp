// SPDX-License-Identifier: MIT
// The sandbox serves the official Node client's route table (crisp-api.md §6, and §8.3 for the
// tree routes) for every route it implements: method + path + expected status, table-driven.

#include <map>
#include <vector>

#include "tests/sandbox/crisp_fixture.hpp"

using namespace crisp_test;

namespace {

struct Row {
  const char* node_method;  // the official client's method name
  const char* method;
  const char* path;  // §6 path after /v1/website/{website_id}, with {placeholders}
  const char* body;
  int status;
};

// In order: later rows may rely on earlier writes (a created locale, article, conversation).
const std::vector<Row>& table() {
  static const std::vector<Row> rows{
      // WebsiteBase
      {"getWebsite", "GET", "", "", 200},
      // WebsiteConversation
      {"listConversations", "GET", "/conversations/{page_number}", "", 200},
      {"listSpamConversations", "GET", "/conversations/spams/{page_number}", "", 200},
      {"resolveSpamConversationContent", "GET", "/conversations/spam/{spam_id}/content", "", 200},
      {"createNewConversation", "POST", "/conversation", "{}", 200},
      {"checkConversationExists", "HEAD", "/conversation/{session_id}", "", 200},
      {"getConversation", "GET", "/conversation/{session_id}", "", 200},
      {"initiateConversationWithExistingSession", "POST", "/conversation/{session_id}/initiate", "{}", 200},
      {"getMessagesInConversation", "GET", "/conversation/{session_id}/messages", "", 200},
      {"sendMessageInConversation", "POST", "/conversation/{session_id}/message",
       R"({"type":"text","from":"operator","origin":"chat","content":"Hey there! Need help?"})", 200},
      {"getMessageInConversation", "GET", "/conversation/{session_id}/message/{fingerprint}", "", 200},
      {"updateMessageInConversation", "PATCH", "/conversation/{session_id}/message/{fingerprint}",
       R"({"content":"Edited"})", 200},
      {"removeMessageInConversation", "DELETE", "/conversation/{session_id}/message/{fingerprint}", "", 200},
      {"getMessageInConversation (removed)", "GET", "/conversation/{session_id}/message/{fingerprint}", "", 404},
      {"markMessagesReadInConversation", "PATCH", "/conversation/{session_id}/read",
       R"({"from":"operator","origin":"chat"})", 200},
      {"getConversationRoutingAssign", "GET", "/conversation/{session_id}/routing", "", 200},
      {"assignConversationRouting", "PATCH", "/conversation/{session_id}/routing",
       R"({"assigned":{"user_id":"{user_id}"}})", 200},
      {"updateConversationInbox", "PATCH", "/conversation/{session_id}/inbox", R"({"inbox_id":"{inbox_id}"})", 200},
      {"getConversationMetas", "GET", "/conversation/{session_id}/meta", "", 200},
      {"updateConversationMetas", "PATCH", "/conversation/{session_id}/meta",
       R"({"nickname":"John Doe","email":"john.doe@acme-inc.com","segments":["happy","customer","love"],"data":{"type":"customer","signup":"finished"}})",
       200},
      {"getConversationState", "GET", "/conversation/{session_id}/state", "", 200},
      {"changeConversationState", "PATCH", "/conversation/{session_id}/state", R"({"state":"resolved"})", 200},
      {"getBlockStatusForConversation", "GET", "/conversation/{session_id}/block", "", 200},
      {"blockIncomingMessagesForConversation", "PATCH", "/conversation/{session_id}/block", R"({"blocked":true})", 200},
      {"reportConversation", "POST", "/conversation/{session_id}/report", R"({"flag":"spam"})", 200},
      {"submitSpamConversationDecision", "POST", "/conversations/spam/{spam_id}/decision", R"({"action":"reject"})",
       200},
      {"removeConversation", "DELETE", "/conversation/{session_id}", "", 200},
      {"checkConversationExists (removed)", "HEAD", "/conversation/{session_id}", "", 404},
      // WebsiteInbox
      {"listInboxes", "GET", "/inboxes/list/{page_number}", "", 200},
      {"checkInboxExists", "HEAD", "/inbox/{inbox_id}", "", 200},
      {"getInbox", "GET", "/inbox/{inbox_id}", "", 200},
      // WebsiteOperator
      {"listWebsiteOperators", "GET", "/operators/list", "", 200},
      {"getWebsiteOperator", "GET", "/operator/{user_id}", "", 200},
      // WebsiteVisitors
      {"countVisitors", "GET", "/visitors/count", "", 200},
      {"listVisitors", "GET", "/visitors/list/{page_number}", "", 200},
      // WebsiteAnalytics
      {"generateAnalytics", "POST", "/analytics/generate",
       R"({"metric":"conversations","date":{"from":"2020-01-01","to":"2030-01-01"},"classifier":"inbox"})", 200},
      // WebsitePeople
      {"listPeopleProfiles", "GET", "/people/profiles/{page_number}", "", 200},
      {"addNewPeopleProfile", "POST", "/people/profile",
       R"({"email":"valerian@crisp.chat","person":{"nickname":"Valerian Saliou"}})", 200},
      {"checkPeopleProfileExists", "HEAD", "/people/profile/{people_id}", "", 200},
      {"getPeopleProfile", "GET", "/people/profile/{people_id}", "", 200},
      {"savePeopleProfile", "PUT", "/people/profile/{people_id}",
       R"({"email":"valerian@crisp.chat","person":{"nickname":"Valerian"}})", 200},
      {"updatePeopleProfile", "PATCH", "/people/profile/{people_id}", R"({"notepad":"met at a conference"})", 200},
      {"listPeopleConversations", "GET", "/people/conversations/{people_id}/list/{page_number}", "", 200},
      {"removePeopleProfile", "DELETE", "/people/profile/{people_id}", "", 200},
      // WebsiteHelpdesk (v10 routes, both shared and article)
      {"checkHelpdeskExists", "HEAD", "/helpdesk", "", 200},
      {"resolveHelpdesk", "GET", "/helpdesk", "", 200},
      {"listHelpdeskLocales", "GET", "/helpdesk/locales/{page_number}", "", 200},
      {"addHelpdeskLocale", "POST", "/helpdesk/locale", R"({"locale":"de"})", 200},
      {"checkHelpdeskLocaleExists", "HEAD", "/helpdesk/locale/{locale}", "", 200},
      {"resolveHelpdeskLocale", "GET", "/helpdesk/locale/{locale}", "", 200},
      {"listHelpdeskLocaleArticles", "GET", "/helpdesk/locale/{locale}/articles/{page_number}", "", 200},
      {"addNewHelpdeskLocaleArticle", "POST", "/helpdesk/locale/{locale}/article", R"({"title":"Route table article"})",
       200},
      {"checkHelpdeskLocaleArticleExists", "HEAD", "/helpdesk/locale/{locale}/article/{article_id}", "", 200},
      {"resolveHelpdeskLocaleArticle", "GET", "/helpdesk/locale/{locale}/article/{article_id}", "", 200},
      {"saveHelpdeskLocaleArticle", "PUT", "/helpdesk/locale/{locale}/article/{article_id}",
       R"({"title":"Route table article","description":null,"content":"**It's easy to setup**","featured":false,"order":1})",
       200},
      {"updateHelpdeskLocaleArticle", "PATCH", "/helpdesk/locale/{locale}/article/{article_id}",
       R"({"content":"Updated"})", 200},
      {"publishHelpdeskLocaleArticle", "POST", "/helpdesk/locale/{locale}/article/{article_id}/publish", "{}", 200},
      {"resolveHelpdeskLocaleArticlePage", "GET", "/helpdesk/locale/{locale}/article/{article_id}/page", "", 200},
      {"unpublishHelpdeskLocaleArticle", "POST", "/helpdesk/locale/{locale}/article/{article_id}/unpublish", "{}", 200},
      {"deleteHelpdeskLocaleArticle", "DELETE", "/helpdesk/locale/{locale}/article/{article_id}", "", 200},
      // WebsiteHelpdesk 11.x tree routes (§8.3.1)
      {"listHelpdeskTree", "GET", "/helpdesk/tree/list/{locale}/articles/{page_number}", "", 200},
      {"createHelpdeskTreePath", "POST", "/helpdesk/tree/path/{locale}/articles/route-table/new-page.md", "{}", 200},
      {"resolveHelpdeskTreePath", "GET", "/helpdesk/tree/path/{locale}/articles/route-table/new-page.md", "", 200},
      {"saveHelpdeskTreeContent", "PUT", "/helpdesk/tree/content/{locale}/articles/route-table/new-page.md",
       R"({"content":"# New page"})", 200},
      {"resolveHelpdeskTreeContent", "GET", "/helpdesk/tree/content/{locale}/articles/route-table/new-page.md", "",
       200},
      {"updateHelpdeskTreeMetadata", "PATCH", "/helpdesk/tree/metadata/{locale}/articles/route-table/new-page.md",
       R"({"title":"New page","state":{"published":true}})", 200},
      {"resolveHelpdeskTreeMetadata", "GET", "/helpdesk/tree/metadata/{locale}/articles/route-table/new-page.md", "",
       200},
      {"resolveHelpdeskTreePage", "GET", "/helpdesk/tree/page/{locale}/articles/route-table/new-page.md", "", 200},
      {"listHelpdeskPages", "GET", "/helpdesk/page/list/{locale}/articles/{page_number}", "", 200},
      {"listHelpdeskHistoryChanges", "GET", "/helpdesk/history/changes/{page_number}", "", 200},
      {"requestHelpdeskContentRefresh", "POST", "/helpdesk/refresh/{locale}/articles", "{}", 200},
      {"deleteHelpdeskTreePath", "DELETE", "/helpdesk/tree/path/{locale}/articles/route-table", "", 200},
      {"resolveHelpdeskTreePath (deleted)", "GET", "/helpdesk/tree/path/{locale}/articles/route-table/new-page.md", "",
       404},
      // WebsiteCampaign
      {"listCampaigns", "GET", "/campaigns/list/{page_number}", "", 200},
      {"checkCampaignExists", "HEAD", "/campaign/{campaign_id}", "", 200},
      {"getCampaign", "GET", "/campaign/{campaign_id}", "", 200},
      {"pauseCampaign", "POST", "/campaign/{campaign_id}/pause", "{}", 200},
      {"resumeCampaign", "POST", "/campaign/{campaign_id}/resume", "{}", 200},
      // Routes of §6 the sandbox does not implement answer like an unknown route.
      {"listSuggestedConversationSegments (not implemented)", "GET", "/conversations/suggest/segments/{page_number}",
       "", 404},
      {"getWebsiteSettings (not implemented)", "GET", "/settings", "", 404},
  };
  return rows;
}

std::string fill(std::string text, const std::map<std::string, std::string>& ids) {
  for (const auto& [key, value] : ids) {
    const std::string needle = "{" + key + "}";
    for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle))
      text.replace(pos, needle.size(), value);
  }
  return text;
}

}  // namespace

TEST_CASE("the sandbox answers every implemented route of the official Node client's table with the expected status") {
  Fixture f;
  std::map<std::string, std::string> ids;
  ids["page_number"] = "1";
  ids["locale"] = "en";
  ids["spam_id"] = std::string(f.call("GET", "/conversations/spams/1").data().at(0).at("spam_id").as_string());
  ids["inbox_id"] = std::string(f.call("GET", "/inboxes/list/1").data().at(0).at("inbox_id").as_string());
  ids["user_id"] = std::string(f.call("GET", "/operators/list").data().at(0).at("details").at("user_id").as_string());
  ids["campaign_id"] = std::string(
      f.call("GET", "/campaigns/list/1?filter_status_sending=1").data().at(0).at("campaign_id").as_string());

  for (const Row& row : table()) {
    CAPTURE(row.node_method);
    const std::string path = fill(row.path, ids);
    const std::string body = fill(row.body, ids);
    auto r = f.call(row.method, path, body);
    CHECK(r.status == row.status);
    if (std::string_view(row.method) == "HEAD") {
      CHECK(r.raw.body.empty());
    } else {
      // Every answer is the {error, reason, data} envelope.
      REQUIRE(r.body.is_object());
      CHECK(r.body.as_object().size() == 3);
      CHECK(r.body.at("error").as_bool() == (row.status >= 400));
      CHECK(r.body.at("reason").is_string());
      CHECK(r.body.as_object().contains("data"));
    }
    // Capture ids the following rows need.
    const std::string name = row.node_method;
    if (name == "createNewConversation") ids["session_id"] = std::string(r.data().at("session_id").as_string());
    if (name == "sendMessageInConversation")
      ids["fingerprint"] = std::to_string(r.data().at("fingerprint").to_number<std::int64_t>());
    if (name == "addNewPeopleProfile") ids["people_id"] = std::string(r.data().at("people_id").as_string());
    if (name == "addNewHelpdeskLocaleArticle") ids["article_id"] = std::string(r.data().at("article_id").as_string());
  }
}
