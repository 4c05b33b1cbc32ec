// SPDX-License-Identifier: MIT
// Behaviour of individual write routes: state, inbox, routing, meta, block, report, spam,
// people, campaigns.

#include "tests/sandbox/crisp_fixture.hpp"

using namespace crisp_test;

TEST_CASE("state, inbox, routing, meta and block changes read back") {
  Fixture f;
  const auto sid = f.find_session([](const json::object& c) { return c.at("state") == "pending"; });
  const std::string c = "/conversation/" + sid;
  CHECK(f.call("PATCH", c + "/state", R"({"state":"resolved"})").reason() == "updated");
  CHECK(f.call("GET", c + "/state").data().at("state") == "resolved");
  CHECK(f.call("GET", c).data().at("status").to_number<int>() == 2);

  const auto inbox = f.call("GET", "/inboxes/list/1").data().at(0).at("inbox_id");
  f.call("PATCH", c + "/inbox", R"({"inbox_id":")" + std::string(inbox.as_string()) + R"("})");
  CHECK(f.call("GET", c).data().at("inbox_id") == inbox);
  f.call("PATCH", c + "/inbox", R"({"inbox_id":null})");
  CHECK(f.call("GET", c).data().at("inbox_id").is_null());

  const auto user = f.call("GET", "/operators/list").data().at(1).at("details").at("user_id");
  f.call("PATCH", c + "/routing", R"({"assigned":{"user_id":")" + std::string(user.as_string()) + R"("}})");
  CHECK(f.call("GET", c + "/routing").data().at("assigned").at("user_id") == user);

  f.call("PATCH", c + "/meta", R"({"segments":["vip"],"data":{"plan":"enterprise","seats":40}})");
  auto meta = f.call("GET", c + "/meta").data();
  CHECK(meta.at("segments") == json::array{"vip"});
  CHECK(meta.at("data").at("plan") == "enterprise");
  CHECK(meta.at("data").as_object().size() >= 2);  // merged, not replaced

  CHECK(f.call("GET", c + "/block").data().at("blocked") == false);
  f.call("PATCH", c + "/block", R"({"blocked":true})");
  CHECK(f.call("GET", c + "/block").data().at("blocked") == true);
}

TEST_CASE("a reported conversation leaves the list and reporting it again is a replay") {
  Fixture f;
  const auto sid = f.any_session();
  CHECK(f.call("POST", "/conversation/" + sid + "/report", R"({"flag":"spam"})").status == 200);
  CHECK(f.call("POST", "/conversation/" + sid + "/report", R"({"flag":"spam"})").status == 200);
  auto effects = f.effects();
  CHECK(effects[0].at("replayed") == false);
  CHECK(effects[1].at("replayed") == true);
  CHECK(f.call("GET", "/conversation/" + sid).status == 200);
  for (int p = 1; p <= 3; ++p) {
    for (const auto& c : f.list("/conversations/" + std::to_string(p) + "?per_page=50"))
      CHECK(c.at("session_id") != json::value(sid));
  }
}

TEST_CASE("a visitor message raises the operator unread count and an operator read mark clears it") {
  Fixture f;
  const auto sid = f.find_session([](const json::object& c) {
    return c.at("unread").at("operator").to_number<int>() == 0 && c.at("state") != "resolved";
  });
  f.call("POST", "/conversation/" + sid + "/message",
         R"({"type":"text","from":"user","origin":"chat","content":"still there?"})");
  CHECK(f.call("GET", "/conversation/" + sid).data().at("unread").at("operator").to_number<int>() == 1);
  f.call("PATCH", "/conversation/" + sid + "/read", R"({"from":"operator","origin":"chat"})");
  CHECK(f.call("GET", "/conversation/" + sid).data().at("unread").at("operator").to_number<int>() == 0);
}

TEST_CASE("a spam decision removes the item and accept turns it into a conversation") {
  Fixture f;
  auto spams = f.call("GET", "/conversations/spams/1").data().as_array();
  REQUIRE(spams.size() >= 2);
  CHECK_FALSE(spams[0].as_object().contains("content"));
  const std::string accept_id(spams[0].at("spam_id").as_string());
  const std::string reject_id(spams[1].at("spam_id").as_string());
  const std::string sid(spams[0].at("metadata").at("session_id").as_string());
  CHECK(f.call("GET", "/conversations/spam/" + accept_id + "/content").data().at("content").at("text").is_string());
  CHECK(f.call("POST", "/conversations/spam/" + accept_id + "/decision", R"({"action":"maybe"})").reason() ==
        "invalid_data");
  CHECK(f.call("POST", "/conversations/spam/" + accept_id + "/decision", R"({"action":"accept"})").status == 200);
  CHECK(f.call("POST", "/conversations/spam/" + reject_id + "/decision", R"({"action":"reject"})").status == 200);
  CHECK(f.call("GET", "/conversations/spams/1").data().as_array().size() == spams.size() - 2);
  CHECK(f.call("GET", "/conversation/" + sid + "/messages").data().as_array().size() == 1);
  CHECK(f.call("GET", "/conversations/spam/" + reject_id + "/content").status == 404);
}

TEST_CASE("people profiles are added, found by text, updated, listed with their conversations and removed") {
  Fixture f;
  auto add = f.call("POST", "/people/profile",
                    R"({"email":"jane@initech.io","person":{"nickname":"Jane Roe"},"segments":["lead"]})");
  REQUIRE(add.status == 200);
  const std::string id(add.data().at("people_id").as_string());
  CHECK(f.call("POST", "/people/profile", R"({"email":"jane@initech.io","person":{"nickname":"Again"}})").status ==
        409);
  auto found = f.call("GET", "/people/profiles/1?search_text=jane%20roe").data().as_array();
  REQUIRE(found.size() == 1);
  CHECK(found[0].at("people_id") == json::value(id));
  f.call("PATCH", "/people/profile/" + id, R"({"person":{"phone":"+33 1 23 45 67 89"}})");
  auto p = f.call("GET", "/people/profile/" + id).data();
  CHECK(p.at("person").at("nickname") == "Jane Roe");  // PATCH merges person
  CHECK(p.at("person").at("phone") == "+33 1 23 45 67 89");
  CHECK(f.call("GET", "/people/conversations/" + id + "/list/1").data().as_array().empty());
  CHECK(f.call("DELETE", "/people/profile/" + id).status == 200);
  CHECK(f.call("HEAD", "/people/profile/" + id).status == 404);
  // Sorting by nickname ascending.
  auto sorted =
      f.call("GET", "/people/profiles/1?sort_field=nickname&sort_order=ascending&per_page=50").data().as_array();
  for (std::size_t i = 1; i < sorted.size(); ++i) {
    std::string a(sorted[i - 1].at("person").at("nickname").as_string()),
        b(sorted[i].at("person").at("nickname").as_string());
    for (auto& ch : a) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    for (auto& ch : b) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    CHECK(a <= b);
  }
}

TEST_CASE(
    "a running campaign pauses and resumes, twice in a row is a replay, and a never dispatched one cannot resume") {
  Fixture f;
  auto sending = f.call("GET", "/campaigns/list/1?filter_status_sending=1").data().as_array();
  REQUIRE(!sending.empty());
  const std::string id(sending[0].at("campaign_id").as_string());
  CHECK(f.call("POST", "/campaign/" + id + "/pause").status == 200);
  CHECK(f.call("GET", "/campaign/" + id).data().at("running") == false);
  CHECK(f.call("POST", "/campaign/" + id + "/pause").status == 200);
  CHECK(f.effects().back().at("replayed") == true);
  auto paused = f.call("GET", "/campaigns/list/1?filter_status_paused=1").data().as_array();
  CHECK(std::any_of(paused.begin(), paused.end(),
                    [&](const json::value& c) { return c.at("campaign_id") == json::value(id); }));
  CHECK(f.call("POST", "/campaign/" + id + "/resume").status == 200);
  CHECK(f.call("GET", "/campaign/" + id).data().at("running") == true);
  std::string draft;
  for (const auto& c : f.list("/campaigns/list/1")) {
    if (c.at("dispatched") == false) draft = std::string(c.at("campaign_id").as_string());
  }
  REQUIRE(!draft.empty());
  CHECK(f.call("POST", "/campaign/" + draft + "/resume").reason() == "invalid_data");
}
