// SPDX-License-Identifier: MIT
// kb_enrichment end to end, through the human review: approve, edit, reject, a malformed answer.

#include "nodes/model/offline_model.hpp"
#include "tests/graphs/world.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <doctest/doctest.h>

namespace json = boost::json;
using weft::RunStatus;
using weft::test::World;

namespace {

json::array helpdesk_writes(const json::array& writes) {
  json::array out;
  for (const auto& w : writes) {
    if (w.at("path").as_string().find("/helpdesk/") != json::string::npos) out.push_back(w);
  }
  return out;
}

std::size_t publishes(const json::array& writes) {
  std::size_t n = 0;
  for (const auto& w : helpdesk_writes(writes)) {
    std::string path(w.at("path").as_string());
    // Legacy route: POST .../publish; tree route: PATCH .../tree/metadata/... {"state":{"published":true}}.
    bool tree_publish = w.at("body").is_object() && w.at("body").as_object().contains("state") &&
                        w.at("body").at("state").as_object().if_contains("published") != nullptr &&
                        w.at("body").at("state").at("published") == true;
    if (path.ends_with("/publish") || tree_publish) ++n;
  }
  return n;
}

weft::RunResult start(World& world, const std::string& thread) {
  auto first = world.run("kb_enrichment", json::parse(R"({"locale":"en"})"), thread);
  REQUIRE_MESSAGE(first.status == RunStatus::interrupted, (first.error ? first.error->message : ""));
  REQUIRE(first.interrupts.size() == 1);
  return first;
}

}  // namespace

TEST_CASE("kb_enrichment drafts from a resolved conversation, waits for review, then creates and publishes once") {
  World world(std::make_shared<weft::OfflineModel>());
  auto first = start(world, "kb-approve");
  const auto& question = first.interrupts[0].value.as_object();
  CHECK(question.at("question") == "Publish this helpdesk article?");
  CHECK_FALSE(question.at("subject").at("content").as_string().empty());
  CHECK(helpdesk_writes(world.writes()).empty());  // nothing is created before the review

  auto done = world.resume("kb_enrichment", "kb-approve", json::parse(R"({"action":"approve"})"));
  REQUIRE_MESSAGE(done.status == RunStatus::done, (done.error ? done.error->message : ""));
  const auto& article = done.values.at("article").as_object();
  CHECK(article.at("published") == true);
  CHECK(publishes(world.writes()) == 1);
  std::string summary(done.values.at("summary").as_string());
  CHECK(summary.rfind("Published helpdesk article '", 0) == 0);
  if (article.contains("url") && !article.at("url").as_string().empty()) {
    CHECK(summary.find(std::string(article.at("url").as_string())) != std::string::npos);
  }
}

TEST_CASE("kb_enrichment publishes the reviewer's edited text") {
  World world(std::make_shared<weft::OfflineModel>());
  start(world, "kb-edit");
  auto done = world.resume(
      "kb_enrichment", "kb-edit",
      json::parse(R"({"action":"edit","text":"# Reset a webhook secret\n\n1. Open settings.\n2. Rotate it."})"));
  REQUIRE_MESSAGE(done.status == RunStatus::done, (done.error ? done.error->message : ""));
  bool sent_edited = false;
  for (const auto& w : helpdesk_writes(world.writes())) {
    std::string body = json::serialize(w.at("body"));
    if (body.find("Rotate it.") != std::string::npos) sent_edited = true;
  }
  CHECK(sent_edited);
  CHECK(std::string(done.values.at("summary").as_string()).find("edited") != std::string::npos);
}

TEST_CASE("kb_enrichment publishes the reviewer's edited title and keeps the drafted content") {
  World world(std::make_shared<weft::OfflineModel>());
  auto first = start(world, "kb-title");
  const std::string drafted(first.interrupts[0].value.at("subject").at("content").as_string());
  auto done = world.resume("kb_enrichment", "kb-title",
                           json::parse(R"({"action":"edit","title":"Rotate a webhook secret safely"})"));
  REQUIRE_MESSAGE(done.status == RunStatus::done, (done.error ? done.error->message : ""));
  CHECK(done.values.at("article").at("title") == "Rotate a webhook secret safely");
  std::size_t created_with_title = 0;
  std::size_t drafted_content = 0;  // the create itself, or a separate content write (tree route)
  for (const auto& w : helpdesk_writes(world.writes())) {
    const json::object* body = w.at("body").if_object();
    if (body && body->contains("title") && body->at("title") == "Rotate a webhook secret safely") ++created_with_title;
    if (body && body->contains("content") && body->at("content") == drafted.c_str()) ++drafted_content;
  }
  CHECK(created_with_title == 1);
  CHECK(drafted_content == 1);
  CHECK(publishes(world.writes()) == 1);
}

TEST_CASE("kb_enrichment asks again when an edited title is not a string or too long") {
  World world(std::make_shared<weft::OfflineModel>());
  start(world, "kb-bad-title");
  auto again = world.resume("kb_enrichment", "kb-bad-title", json::parse(R"({"action":"edit","title":42})"));
  REQUIRE(again.status == RunStatus::interrupted);
  CHECK(again.interrupts[0].value.at("previous_answer_problem").as_string().find("\"title\" must be a string") !=
        json::string::npos);
  json::object too_long{{"action", "edit"}, {"title", std::string(201, 'x')}};
  again = world.resume("kb_enrichment", "kb-bad-title", json::value(too_long));
  REQUIRE(again.status == RunStatus::interrupted);
  CHECK(again.interrupts[0].value.at("previous_answer_problem").as_string().find("at most 200") != json::string::npos);
  CHECK(helpdesk_writes(world.writes()).empty());
}

TEST_CASE("kb_enrichment creates nothing when the reviewer rejects the draft") {
  World world(std::make_shared<weft::OfflineModel>());
  start(world, "kb-reject");
  auto done = world.resume("kb_enrichment", "kb-reject", json::parse(R"({"action":"reject"})"));
  REQUIRE_MESSAGE(done.status == RunStatus::done, (done.error ? done.error->message : ""));
  CHECK(helpdesk_writes(world.writes()).empty());
  CHECK(std::string(done.values.at("summary").as_string()).find("rejected") != std::string::npos);
}

TEST_CASE("kb_enrichment asks again, saying why, when the answer is not approve, edit or reject") {
  World world(std::make_shared<weft::OfflineModel>());
  start(world, "kb-typo");
  auto again = world.resume("kb_enrichment", "kb-typo", json::parse(R"({"action":"publish"})"));
  REQUIRE(again.status == RunStatus::interrupted);
  REQUIRE(again.interrupts.size() == 1);
  CHECK(again.interrupts[0].value.at("previous_answer_problem").as_string().find("unknown action 'publish'") !=
        json::string::npos);
  CHECK(helpdesk_writes(world.writes()).empty());
  auto done = world.resume("kb_enrichment", "kb-typo", json::parse(R"("approve")"));
  REQUIRE_MESSAGE(done.status == RunStatus::done, (done.error ? done.error->message : ""));
  CHECK(publishes(world.writes()) == 1);
}
