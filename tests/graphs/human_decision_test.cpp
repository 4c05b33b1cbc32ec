// SPDX-License-Identifier: MIT
#include "graphs/human_decision.hpp"

#include <boost/json/parse.hpp>
#include <doctest/doctest.h>

#include <stdexcept>

using namespace weft::graphs;
namespace json = boost::json;

TEST_CASE("approve, edit and skip answers are understood in object and string form") {
  CHECK(parse_human_decision(json::parse(R"({"action":"approve"})"), "skip").action == HumanDecision::Action::approve);
  CHECK(parse_human_decision(json::value("skip"), "skip").action == HumanDecision::Action::decline);
  CHECK(parse_human_decision(json::value("reject"), "reject").action == HumanDecision::Action::decline);
  auto edit = parse_human_decision(json::parse(R"({"action":"edit","text":"Hello!"})"), "skip");
  CHECK(edit.action == HumanDecision::Action::edit);
  CHECK(edit.text == "Hello!");
}

TEST_CASE("a malformed answer explains the accepted forms") {
  CHECK_THROWS_WITH_AS(parse_human_decision(json::parse(R"({"action":"edit"})"), "reject"),
                       "\"edit\" needs a non-empty \"text\"; answer {\"action\":\"approve\"}, "
                       "{\"action\":\"edit\",\"text\":\"...\"} or {\"action\":\"reject\"}",
                       std::invalid_argument);
  CHECK_THROWS_AS(parse_human_decision(json::parse("42"), "skip"), std::invalid_argument);
  CHECK_THROWS_AS(parse_human_decision(json::value("publish everything"), "skip"), std::invalid_argument);
}

TEST_CASE("an edit may replace a title, the text or both when the graph's subject has a title") {
  auto both = parse_human_decision(json::parse(R"({"action":"edit","title":"T","text":"B"})"), "reject",
                                   EditFields::text_and_title);
  CHECK(both.title == "T");
  CHECK(both.text == "B");
  auto title_only =
      parse_human_decision(json::parse(R"({"action":"edit","title":"T"})"), "reject", EditFields::text_and_title);
  CHECK(title_only.title == "T");
  CHECK(title_only.text.empty());
  CHECK_THROWS_WITH_AS(
      parse_human_decision(json::parse(R"({"action":"edit","title":""})"), "reject", EditFields::text_and_title),
      "\"edit\" needs a non-empty \"title\" or \"text\"; answer {\"action\":\"approve\"}, "
      "{\"action\":\"edit\",\"title\":\"...\",\"text\":\"...\"} or {\"action\":\"reject\"}",
      std::invalid_argument);
  // A graph without titles ignores a title: the text is still required.
  CHECK_THROWS_AS(parse_human_decision(json::parse(R"({"action":"edit","title":"T"})"), "skip"), std::invalid_argument);
  CHECK_THROWS_AS(parse_human_decision(json::parse(R"({"action":"edit","text":7})"), "skip"), std::invalid_argument);
}

TEST_CASE("a decision request lists the choices with an example answer each") {
  auto r = decision_request("Send this greeting?", json::object{{"email", "a@acme.com"}}, "skip");
  CHECK(r.at("choices").as_array().size() == 3);
  CHECK(r.at("choices").as_array()[2] == "skip");
  CHECK(r.at("answer_examples").as_object().contains("edit"));
}
