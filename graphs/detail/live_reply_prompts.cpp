// SPDX-License-Identifier: MIT
// What live_reply asks the model (live_reply_prompts.hpp).

#include "graphs/detail/live_reply_prompts.hpp"

#include "graphs/detail/live_reply_conversation.hpp"
#include "graphs/untrusted.hpp"

#include <boost/json/parse.hpp>

namespace json = boost::json;

namespace weft::graphs::detail::live_reply {
namespace {

constexpr const char* kClassificationSchema = R"({
  "type": "object",
  "properties": {
    "category": {"type": "string", "enum": ["spam", "question", "out_of_scope"]},
    "reason": {"type": "string"}
  },
  "required": ["category", "reason"],
  "additionalProperties": false
})";

constexpr const char* kReplySchema = R"({
  "type": "object",
  "properties": {
    "reply": {"type": "string"},
    "confidence": {"type": "number"},
    "cited": {"type": "array", "items": {"type": "integer"}}
  },
  "required": ["reply", "confidence", "cited"],
  "additionalProperties": false
})";

}  // namespace

ChatRequest classification_request(const json::object& conversation) {
  ChatRequest request;
  request.messages.push_back(system_message(
      std::string("You triage a visitor's latest message in a company's website live chat. Put it in exactly one "
                  "category: spam (unsolicited advertising, SEO or marketing offers, scams, bots, abuse), question (a "
                  "customer or prospect asking how the product works, how to do something, or why something does "
                  "not work: the company's help center may answer it), out_of_scope (anything a help-center answer "
                  "cannot settle: account or billing changes, refunds, legal or security requests, complaints, "
                  "small talk, requests to act on their account). Answer with JSON {\"category\", \"reason\"}; the "
                  "reason is one short sentence. ") +
      std::string(untrusted_data_rule())));
  request.messages.push_back(
      user_message(quote_untrusted("conversation", json::value(quoted_conversation(conversation)))));
  request.response_format = json_schema_format("live_classification", json::parse(kClassificationSchema));
  request.metadata["task"] = "classify";
  // Not sent to an LLM: the offline model classifies this plain text.
  request.metadata["text"] = visitor_text(conversation);
  return request;
}

json::object classification_of(const detail::ModelAnswer& answer) {
  const json::object* verdict = answer.json.if_object();
  std::string category = verdict ? lower(string_of(*verdict, "category")) : std::string();
  std::string reason = verdict ? string_of(*verdict, "reason") : std::string();
  if (answer.offline) {
    if (category == "technical" || category == "sales") category = "question";
    if (category == "other") category = "out_of_scope";
  }
  if (category != "spam" && category != "question" && category != "out_of_scope") {
    category = "out_of_scope";
    reason = "the model's answer was not one of the three categories; left for a human";
  }
  json::object classification;
  classification["category"] = category;
  classification["reason"] = reason;
  classification["model"] = answer.model;
  classification["offline"] = answer.offline;
  classification["ignored_tool_calls"] = answer.tool_calls;
  return classification;
}

ChatRequest reply_request(const json::object& conversation, const json::array& articles, const std::string& locale) {
  ChatRequest request;
  request.messages.push_back(system_message(
      "You answer a website visitor in live chat on behalf of the company's support team, in the visitor's "
      "language (the help center's locale is '" +
      locale +
      "'). Answer the visitor's latest message "
      "(visitor_message) in at most four short sentences, using only facts from the numbered help-center articles "
      "given. Put the numbers of the articles your reply relies on in \"cited\"; write no URLs: the links of the "
      "cited articles are appended to your reply. Never promise discounts, codes, refunds, credits, free offers or "
      "deadlines, and never say you did something: you only write this reply. If the articles do not answer the "
      "question, say a teammate will follow up here and cite nothing. \"confidence\" is your probability, from 0 "
      "to 1, that the reply fully and correctly answers the visitor. Answer with JSON {\"reply\", \"confidence\", "
      "\"cited\"}. " +
      std::string(untrusted_data_rule())));
  json::array quoted_articles;
  json::array listed;
  for (const auto& a : articles) {
    const json::object& article = a.as_object();
    json::object q;
    q["n"] = article.at("n");
    q["title"] = article.at("title");
    q["description"] = article.at("description");
    q["content"] = article.at("content");
    quoted_articles.push_back(std::move(q));
    json::object l;
    l["title"] = article.at("title");
    l["url"] = article.at("url");
    listed.push_back(std::move(l));
  }
  request.messages.push_back(
      user_message(quote_untrusted("conversation", json::value(quoted_conversation(conversation))) + "\n\n" +
                   quote_untrusted("help-center articles", json::value(quoted_articles))));
  request.response_format = json_schema_format("reply", json::parse(kReplySchema));
  request.metadata["task"] = "reply";
  // Not sent to an LLM: the offline model's template points to these.
  request.metadata["articles"] = std::move(listed);
  request.metadata["locale"] = locale;
  return request;
}

}  // namespace weft::graphs::detail::live_reply
