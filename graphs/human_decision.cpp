// SPDX-License-Identifier: MIT
#include "graphs/human_decision.hpp"

#include <stdexcept>

namespace json = boost::json;

namespace weft::graphs {

json::object decision_request(const std::string& question, json::object subject, const std::string& decline_word) {
  json::object request;
  request["question"] = question;
  request["subject"] = std::move(subject);
  json::array choices;
  choices.emplace_back("approve");
  choices.emplace_back("edit");
  choices.emplace_back(decline_word);
  request["choices"] = std::move(choices);
  json::object examples;
  examples["approve"] = "{\"action\":\"approve\"}";
  examples["edit"] = "{\"action\":\"edit\",\"text\":\"...\"}";
  examples[decline_word] = "{\"action\":\"" + decline_word + "\"}";
  request["answer_examples"] = std::move(examples);
  return request;
}

HumanDecision parse_human_decision(const json::value& answer, const std::string& decline_word) {
  auto fail = [&](const std::string& why) -> std::invalid_argument {
    return std::invalid_argument(
        why + "; answer {\"action\":\"approve\"}, {\"action\":\"edit\",\"text\":\"...\"} or {\"action\":\"" +
        decline_word + "\"}");
  };
  std::string action;
  const json::object* obj = nullptr;
  if (answer.is_string()) {
    action = std::string(answer.as_string());
  } else if (answer.is_object()) {
    obj = &answer.as_object();
    auto it = obj->find("action");
    if (it == obj->end() || !it->value().is_string()) throw fail("the answer has no \"action\" string");
    action = std::string(it->value().as_string());
  } else {
    throw fail("the answer must be a JSON object or string");
  }
  HumanDecision d;
  if (action == "approve") {
    d.action = HumanDecision::Action::approve;
  } else if (action == "skip" || action == "reject") {
    d.action = HumanDecision::Action::decline;
  } else if (action == "edit") {
    d.action = HumanDecision::Action::edit;
    const json::value* text = obj ? obj->if_contains("text") : nullptr;
    if (!text || !text->is_string() || text->as_string().empty()) throw fail("\"edit\" needs a non-empty \"text\"");
    d.text = std::string(text->as_string());
  } else {
    throw fail("unknown action '" + action + "'");
  }
  return d;
}

}  // namespace weft::graphs
