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

namespace {

// The text of an optional string field of an edit; throws `fail(...)` when present but not a string.
template <class Fail>
std::string edit_field(const json::object& answer, const char* name, const Fail& fail) {
  const json::value* v = answer.if_contains(name);
  if (v == nullptr || v->is_null()) return {};
  if (!v->is_string()) throw fail(std::string("\"") + name + "\" must be a string");
  return std::string(v->as_string());
}

}  // namespace

HumanDecision parse_human_decision(const json::value& answer, const std::string& decline_word, EditFields fields) {
  const bool titled = fields == EditFields::text_and_title;
  const std::string edit_form =
      titled ? "{\"action\":\"edit\",\"title\":\"...\",\"text\":\"...\"}" : "{\"action\":\"edit\",\"text\":\"...\"}";
  auto fail = [&](const std::string& why) -> std::invalid_argument {
    return std::invalid_argument(why + "; answer {\"action\":\"approve\"}, " + edit_form + " or {\"action\":\"" +
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
    if (obj != nullptr) {
      d.text = edit_field(*obj, "text", fail);
      if (titled) d.title = edit_field(*obj, "title", fail);
    }
    if (d.text.empty() && d.title.empty())
      throw fail(titled ? "\"edit\" needs a non-empty \"title\" or \"text\"" : "\"edit\" needs a non-empty \"text\"");
  } else {
    throw fail("unknown action '" + action + "'");
  }
  return d;
}

}  // namespace weft::graphs
