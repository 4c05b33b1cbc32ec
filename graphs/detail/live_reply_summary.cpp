// SPDX-License-Identifier: MIT
// live_reply's summary node (live_reply_summary.hpp).

#include "graphs/detail/live_reply_summary.hpp"

#include "graphs/detail/live_reply_conversation.hpp"
#include "graphs/detail/live_reply_draft.hpp"
#include "graphs/detail/node_support.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <string>

namespace json = boost::json;

namespace weft::graphs::detail::live_reply {
namespace {

std::string quote_line(const std::string& text) {
  std::string one = text.substr(0, 300);
  std::replace(one.begin(), one.end(), '\n', ' ');
  return "\"" + one + (text.size() > 300 ? "...\"" : "\"");
}

}  // namespace

json::object summarize(StateView state, NodeContext) {
  const json::object input = input_of(state);
  const json::object conversation = object_or_empty(state.get("conversation"));
  const json::object classification = object_or_empty(state.get("classification"));
  const json::object draft_reply = object_or_empty(state.get("draft"));
  const json::object decision = object_or_empty(state.get("decision"));
  const json::object delivery = object_or_empty(state.get("delivery"));
  const std::string session_id = string_of(input, "session_id");
  const json::object visitor =
      object_or_empty(conversation.contains("visitor_message") ? conversation.at("visitor_message") : json::value());
  const std::string fingerprint = conversation.empty() ? std::string() : message_key(conversation);
  const std::string about =
      "visitor message " + (fingerprint.empty() ? std::string("(no fingerprint)") : fingerprint) + " in " + session_id;

  json::object outcome;
  outcome["status"] = "ok";
  outcome["session_id"] = session_id;
  outcome["visitor_message_fingerprint"] =
      fingerprint.empty() ? json::value(nullptr) : json::value(std::stoll(fingerprint));
  outcome["failed_actions"] = json::array();
  std::string summary;
  const json::value* already = state.find("already_replied");
  const std::string category = string_of(classification, "category");
  if (already && already->is_object()) {
    outcome["action"] = "already_replied";
    summary = "The " + about + " was already answered by an earlier run of this thread (reply " +
              (already->as_object().contains("fingerprint") ? json::serialize(already->as_object().at("fingerprint"))
                                                            : std::string("?")) +
              "); nothing was sent again.";
  } else if (category == "spam") {
    outcome["action"] = "reported_spam";
    summary =
        "The " + about + " is spam: " + string_of(delivery, "action") + ". " + string_of(classification, "reason");
  } else if (category != "question") {
    outcome["action"] = "left_for_human";
    summary = "The " + about + " is out of scope, left for a human; nothing was written. " +
              string_of(classification, "reason");
  } else if (string_of(decision, "action") == "reject") {
    outcome["action"] = "rejected";
    summary = "The reply drafted for the " + about + " was rejected by a human; nothing was sent.";
  } else {
    const std::string how = string_of(decision, "action");
    outcome["action"] = "replied";
    outcome["sent_by"] = how == "auto" ? "policy" : "human";
    if (delivery.contains("fingerprint")) outcome["reply_fingerprint"] = delivery.at("fingerprint");
    summary = "Replied to the " + about + " (" +
              (how == "auto"
                   ? "sent automatically, confidence " + two_decimals(draft_reply.at("confidence").to_number<double>())
               : how == "edit" ? std::string("edited and approved by a human")
                               : std::string("approved by a human")) +
              "): " + quote_line(std::string(state.get_string("reply_text", ""))) + ".";
  }
  if (!visitor.empty()) summary += "\n  Visitor: " + quote_line(string_of(visitor, "text"));
  if (const json::value* citations = draft_reply.if_contains("citations");
      citations && citations->is_array() && !citations->as_array().empty()) {
    summary += "\n  Cited:";
    for (const auto& c : citations->as_array())
      summary += " " + string_of(c.as_object(), "title") + " (" + string_of(c.as_object(), "url") + ");";
  }
  if (const json::value* err = state.find("search_error"); err && err->is_string()) {
    summary += "\n  Helpdesk search failed, drafted without articles: " + std::string(err->as_string());
  }
  std::size_t refused = 0;
  for (const json::object* from : {&classification, &draft_reply}) {
    const char* key = from == &classification ? "ignored_tool_calls" : "refused_tool_calls";
    if (const json::value* calls = from->if_contains(key); calls && calls->is_array())
      refused += calls->as_array().size();
  }
  outcome["refused_model_tool_calls"] = static_cast<std::int64_t>(refused);
  if (refused > 0) {
    summary += "\n  Refused: the model asked for " + std::to_string(refused) +
               " tool call(s); live_reply runs no tool a model names and writes only in " + session_id + ".";
  }
  if (bool_of(draft_reply, "offline", false)) {
    summary += offline_model_note("Classified and drafted", "heuristic");
    summary += " Its confidence is not a confidence: an offline reply is never sent without a human.";
  } else if (bool_of(classification, "offline", false)) {
    summary += offline_model_note("Classified", "heuristic");
  }
  json::object update;
  update["summary"] = summary;
  update["outcome"] = std::move(outcome);
  return update;
}

}  // namespace weft::graphs::detail::live_reply
