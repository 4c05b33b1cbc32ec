// SPDX-License-Identifier: MIT
// live_reply end to end on the Crisp sandbox: a visitor writes in a fresh conversation and the
// graph answers it through the human approval (approve, edit, reject), or by itself when the
// policy allows, exactly once.

#include "tests/graphs/live_reply_support.hpp"

#include <doctest/doctest.h>

using namespace live_reply_test;

TEST_CASE("live_reply drafts a reply citing a real helpdesk article, waits for approval, and approve sends it once") {
  World world(std::make_shared<weft::OfflineModel>());
  const std::string session = visitor_writes(world, kWidgetQuestion);
  const std::size_t before = world.writes().size();
  auto first = start(world, session, "live-approve");
  CHECK(writes_since(world, before).empty());  // nothing is sent before the human answers

  const json::object& ask = first.interrupts[0].value.as_object();
  CHECK(ask.at("question") == "Send this reply to the visitor?");
  const json::object& subject = ask.at("subject").as_object();
  CHECK(subject.at("session_id") == session.c_str());
  CHECK(all_text(subject.at("conversation_excerpt")).find("widget is not loading") != std::string::npos);
  CHECK(subject.at("visitor_message").at("text") == kWidgetQuestion);
  // Every citation is an article the helpdesk has, with the URL Crisp gave, and it is in the text.
  const std::set<std::string> titles = helpdesk_titles(world);
  const auto& citations = subject.at("citations").as_array();
  REQUIRE_FALSE(citations.empty());
  const std::string reply(subject.at("reply").as_string());
  bool cites_widget_article = false;
  for (const auto& c : citations) {
    const std::string title(c.at("title").as_string());
    const std::string url(c.at("url").as_string());
    CHECK(titles.count(title) == 1);
    CHECK(url.rfind("https://help.acme-cloud.io/en/", 0) == 0);
    CHECK(reply.find(title + ": " + url) != std::string::npos);
    cites_widget_article = cites_widget_article || title == "Widget is not loading";
  }
  CHECK(cites_widget_article);
  CHECK(why_asked(first).find("auto_send is off") != std::string::npos);

  auto done = world.resume("live_reply", "live-approve", json::parse(R"({"action":"approve"})"));
  REQUIRE_MESSAGE(done.status == RunStatus::done, (done.error ? done.error->message : ""));
  const json::array writes = writes_since(world, before);
  CHECK(writes.size() == 1);
  const auto sent = messages_in(writes, session);
  REQUIRE(sent.size() == 1);
  CHECK(sent[0] == reply);
  CHECK(done.values.at("outcome").at("action") == "replied");
  CHECK(done.values.at("outcome").at("sent_by") == "human");
  const std::string summary(done.values.at("summary").as_string());
  CHECK(summary.find("approved by a human") != std::string::npos);
  CHECK(summary.find("offline heuristic model, not an LLM") != std::string::npos);
  CHECK(summary.find("Its confidence is not a confidence") != std::string::npos);
}

TEST_CASE("live_reply sends the human's edited text instead of the draft") {
  World world(std::make_shared<weft::OfflineModel>());
  const std::string session = visitor_writes(world, kWidgetQuestion);
  const std::size_t before = world.writes().size();
  start(world, session, "live-edit");
  auto done =
      world.resume("live_reply", "live-edit",
                   json::parse(R"({"action":"edit","text":"Please disable your ad blocker and reload the page."})"));
  REQUIRE_MESSAGE(done.status == RunStatus::done, (done.error ? done.error->message : ""));
  const auto sent = messages_in(writes_since(world, before), session);
  REQUIRE(sent.size() == 1);
  CHECK(sent[0] == "Please disable your ad blocker and reload the page.");
  CHECK(std::string(done.values.at("summary").as_string()).find("edited and approved by a human") != std::string::npos);
}

TEST_CASE("live_reply sends nothing when the human rejects the draft") {
  World world(std::make_shared<weft::OfflineModel>());
  const std::string session = visitor_writes(world, kWidgetQuestion);
  const std::size_t before = world.writes().size();
  start(world, session, "live-reject");
  auto done = world.resume("live_reply", "live-reject", json::parse(R"({"action":"reject"})"));
  REQUIRE_MESSAGE(done.status == RunStatus::done, (done.error ? done.error->message : ""));
  CHECK(writes_since(world, before).empty());
  CHECK(done.values.at("outcome").at("action") == "rejected");
}

TEST_CASE(
    "live_reply with auto_send sends a confident model's reply once, and a re-run of the thread sends nothing again") {
  World world(model_answering(
      "question",
      R"({"reply":"Check that the website id in the snippet matches your workspace, and disable ad blockers.","confidence":0.93,"cited":[1,2]})"));
  const std::string session = visitor_writes(world, kWidgetQuestion);
  const std::size_t before = world.writes().size();
  const std::string extra = R"(,"auto_send":true,"min_confidence":0.8)";
  auto done = world.run("live_reply", input_for(session, extra), "live-auto");
  REQUIRE_MESSAGE(done.status == RunStatus::done, (done.error ? done.error->message : "interrupted"));
  auto sent = messages_in(writes_since(world, before), session);
  REQUIRE(sent.size() == 1);
  CHECK(sent[0].rfind("Check that the website id", 0) == 0);
  CHECK(sent[0].find("https://help.acme-cloud.io/en/") != std::string::npos);
  CHECK(done.values.at("outcome").at("sent_by") == "policy");
  CHECK(std::string(done.values.at("summary").as_string()).find("sent automatically, confidence 0.93") !=
        std::string::npos);

  // The same visitor message again on the thread (a hook delivered twice), then a plain resume.
  auto again = world.run("live_reply", input_for(session, extra), "live-auto");
  REQUIRE_MESSAGE(again.status == RunStatus::done, (again.error ? again.error->message : ""));
  CHECK(again.values.at("outcome").at("action") == "already_replied");
  auto resumed = world.continue_run("live_reply", "live-auto");
  CHECK(resumed.status == RunStatus::done);
  CHECK(messages_in(writes_since(world, before), session).size() == 1);
  CHECK(writes_since(world, before).size() == 1);
}

TEST_CASE(
    "a later visitor message on the same thread gets its own reply, with nothing of the earlier run taken for it") {
  json::array script;
  for (const char* reply : {"Check the website id in the snippet.", "Invoices are in Billing, Invoices."}) {
    script.push_back(json::parse(R"({"content":"{\"category\":\"question\",\"reason\":\"scripted\"}"})"));
    json::object draft;
    draft["content"] = std::string(R"({"reply":")") + reply + R"(","confidence":0.9,"cited":[1]})";
    script.push_back(std::move(draft));
  }
  World world(std::make_shared<weft::ScriptedChatModel>(std::move(script)));
  const std::string session = visitor_writes(world, kWidgetQuestion);
  const std::string extra = R"(,"auto_send":true)";
  auto first = world.run("live_reply", input_for(session, extra), "live-thread");
  REQUIRE_MESSAGE(first.status == RunStatus::done, (first.error ? first.error->message : "interrupted"));
  json::object message;
  message["session_id"] = session;
  message["type"] = "text";
  message["from"] = "user";
  message["origin"] = "chat";
  message["content"] = "Thanks! And where do I download my invoices?";
  world.call_tool("create_a_crisp_message", std::move(message));
  const std::size_t before = world.writes().size();
  auto second = world.run("live_reply", input_for(session, extra), "live-thread");
  REQUIRE_MESSAGE(second.status == RunStatus::done, (second.error ? second.error->message : "interrupted"));
  CHECK(second.values.at("outcome").at("action") == "replied");
  CHECK(second.values.at("conversation").at("visitor_message").at("text") ==
        "Thanks! And where do I download my invoices?");
  const auto sent = messages_in(writes_since(world, before), session);
  REQUIRE(sent.size() == 1);
  CHECK(sent[0].rfind("Invoices are in Billing", 0) == 0);
  CHECK(sent[0].find("Download invoices") != std::string::npos);  // this question's article, not the first one's
}

TEST_CASE("live_reply never sends the offline model's draft by itself, even with auto_send and min_confidence 0") {
  World world(std::make_shared<weft::OfflineModel>());
  const std::string session = visitor_writes(world, kWidgetQuestion);
  const std::size_t before = world.writes().size();
  auto first = start(world, session, "live-offline-auto", R"(,"auto_send":true,"min_confidence":0)");
  CHECK(writes_since(world, before).empty());
  CHECK(why_asked(first).find("offline model drafted this reply") != std::string::npos);
}

TEST_CASE("live_reply asks a human when the model's confidence is below min_confidence") {
  World world(model_answering("question", R"({"reply":"Try disabling ad blockers.","confidence":0.55,"cited":[1]})"));
  const std::string session = visitor_writes(world, kWidgetQuestion);
  const std::size_t before = world.writes().size();
  auto first = start(world, session, "live-low", R"(,"auto_send":true,"min_confidence":0.8)");
  CHECK(writes_since(world, before).empty());
  CHECK(why_asked(first).find("confidence 0.55 is below min_confidence 0.80") != std::string::npos);
}
