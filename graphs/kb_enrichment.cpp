// SPDX-License-Identifier: MIT
// kb_enrichment: turn a resolved conversation into a published helpdesk article, with a human
// review in between.
//
//   START -> read -> extract -> draft -> review --approve/edit--> create_article -> publish -> summarize -> END
//                                              \--reject-------------------------------------^

#include "graphs/kb_enrichment.hpp"

#include "engine/special_nodes.hpp"
#include "graphs/detail/definition.hpp"
#include "graphs/detail/model_options.hpp"
#include "graphs/detail/node_support.hpp"
#include "graphs/error.hpp"
#include "graphs/human_decision.hpp"
#include "graphs/untrusted.hpp"

#include <boost/json/parse.hpp>

#include <stdexcept>

namespace json = boost::json;

namespace weft::graphs {
namespace {

using detail::bool_of;
using detail::call_tool;
using detail::input_of;
using detail::offline_model_note;
using detail::string_of;

constexpr const char* kInputSchema = R"({
  "type": "object",
  "properties": {
    "session_id": {"type": "string", "pattern": "^session_[0-9a-f-]{36}$",
                   "description": "The resolved conversation to learn from; default: the most recent resolved one."},
    "locale": {"type": "string", "pattern": "^[a-z]{2}(-[a-z0-9]{2,4})?$", "default": "en",
               "description": "Helpdesk locale the article is written in and created under."},
    "require_review": {"type": "boolean", "default": true,
                       "description": "Pause for a human to approve, edit or reject the draft before anything is created."}
  },
  "additionalProperties": false
})";

constexpr const char* kExtractionSchema = R"({
  "type": "object",
  "properties": {
    "problem": {"type": "string"},
    "solution": {"type": "string"},
    "title": {"type": "string"}
  },
  "required": ["problem", "solution", "title"],
  "additionalProperties": false
})";

constexpr const char* kArticleSchema = R"({
  "type": "object",
  "properties": {
    "title": {"type": "string"},
    "description": {"type": "string"},
    "content": {"type": "string"}
  },
  "required": ["title", "description", "content"],
  "additionalProperties": false
})";

// Reads, and the three helpdesk writes. No message, report or conversation tool is reachable.
const std::vector<std::string> kAllowedTools = {
    "list_all_crisp_conversations", "list_all_crisp_messages", "create_a_crisp_helpdesk_article",
    "update_a_crisp_helpdesk_article_by_id", "crisp_helpdesk_articles_publish"};

constexpr int kMaxDecisionAttempts = 5;
constexpr std::size_t kMaxTitleChars = 200;  // what draft() keeps of a model's title

boost::asio::awaitable<json::object> read(ToolRegistry tools, StateView state, NodeContext ctx) {
  json::object input = input_of(state);
  std::string session_id = string_of(input, "session_id");
  if (session_id.empty()) {
    json::object args;
    args["page_number"] = 1;
    args["filter_resolved"] = 1;
    auto pending = call_tool(tools, "list_all_crisp_conversations", std::move(args), ctx, "resolved");
    json::value items = co_await std::move(pending);
    if (items.is_array()) {
      for (const auto& item : items.as_array()) {
        if (item.is_object() && string_of(item.as_object(), "state") == "resolved") {
          session_id = string_of(item.as_object(), "session_id");
          break;
        }
      }
    }
    if (session_id.empty()) {
      throw Error(error::not_found,
                  "no resolved conversation on this website; give one with {\"session_id\":\"session_...\"}");
    }
  }
  json::object args;
  args["session_id"] = session_id;
  auto pending = call_tool(tools, "list_all_crisp_messages", std::move(args), ctx, "messages");
  json::value messages = co_await std::move(pending);
  json::array transcript;
  if (messages.is_array()) {
    for (const auto& m : messages.as_array()) {
      if (!m.is_object()) continue;
      const auto& msg = m.as_object();
      auto* content = msg.if_contains("content");
      if (!content || !content->is_string() || string_of(msg, "type", "text") != "text") continue;
      json::object line;
      line["from"] = string_of(msg, "from");
      line["text"] = *content;
      transcript.push_back(std::move(line));
    }
  }
  if (transcript.empty()) {
    throw Error(error::not_found,
                "conversation " + session_id + " has no text messages to learn from; pick another session_id");
  }
  json::object conversation;
  conversation["session_id"] = session_id;
  conversation["messages"] = std::move(transcript);
  json::object update;
  update["conversation"] = std::move(conversation);
  co_return update;
}

boost::asio::awaitable<json::object> extract(std::shared_ptr<ChatModel> model, StateView state, NodeContext ctx) {
  json::value conversation = state.get("conversation");
  json::value quoted = conversation.as_object().at("messages");
  ChatRequest request;
  request.messages.push_back(system_message(
      std::string("You read a resolved customer-support conversation between a visitor (from: user) and an operator "
                  "(from: operator). Extract the visitor's problem, the operator's solution (concrete steps), and a "
                  "short how-to title for a helpdesk article. Leave out names, emails and other personal data. "
                  "Answer with JSON {\"problem\", \"solution\", \"title\"}. ") +
      std::string(untrusted_data_rule())));
  request.messages.push_back(user_message(quote_untrusted("support conversation", quoted)));
  request.response_format = json_schema_format("extraction", json::parse(kExtractionSchema));
  request.metadata["task"] = "extract";
  // Not sent to an LLM: the offline model reads the transcript as "speaker: text" lines.
  std::string transcript;
  for (const auto& line : quoted.as_array()) {
    transcript += string_of(line.as_object(), "from") + ": " + string_of(line.as_object(), "text") + "\n";
  }
  request.metadata["transcript"] = transcript;
  // Checked inside the journaled call: a rejected answer is not recorded, so resume asks again.
  detail::AnswerCheck accept = [](detail::ModelAnswer& a) {
    const json::object* o = a.json.if_object();
    if (!o || string_of(*o, "problem").empty() || string_of(*o, "solution").empty()) {
      throw Error(error::bad_model_output, "model " + a.model + " did not extract a problem and a solution");
    }
  };
  auto pending = detail::ask_json(model, std::move(request), ctx, "extract", std::move(accept));
  detail::ModelAnswer answer = co_await std::move(pending);
  json::object extraction = answer.json.as_object();
  extraction["model"] = answer.model;
  extraction["offline"] = answer.offline;
  json::object update;
  update["extraction"] = std::move(extraction);
  co_return update;
}

boost::asio::awaitable<json::object> draft(std::shared_ptr<ChatModel> model, StateView state, NodeContext ctx) {
  json::object extraction = state.get("extraction").as_object();
  std::string locale = string_of(input_of(state), "locale", "en");
  json::object facts;
  facts["problem"] = string_of(extraction, "problem");
  facts["solution"] = string_of(extraction, "solution");
  facts["title"] = string_of(extraction, "title");
  ChatRequest request;
  request.messages.push_back(system_message(
      "You write helpdesk articles in Markdown for a company's knowledge base, in the language of locale '" + locale +
      "'. From the problem and solution given, write: a title (a short how-to), a one-line description, and the "
      "content: a short intro, the symptoms, then numbered steps to fix it. No personal data, no links you were not "
      "given. Answer with JSON {\"title\", \"description\", \"content\"}. " +
      std::string(untrusted_data_rule())));
  request.messages.push_back(user_message(quote_untrusted("extracted facts", json::value(facts))));
  request.response_format = json_schema_format("article", json::parse(kArticleSchema));
  request.metadata["task"] = "article";
  request.metadata["problem"] = facts["problem"];
  request.metadata["solution"] = facts["solution"];
  request.metadata["title"] = facts["title"];
  request.metadata["locale"] = locale;
  detail::AnswerCheck accept = [](detail::ModelAnswer& a) {
    const json::object* o = a.json.if_object();
    if (!o || string_of(*o, "title").size() < 3 || string_of(*o, "content").empty()) {
      throw Error(error::bad_model_output, "model " + a.model + " did not draft an article with a title and content");
    }
  };
  auto pending = detail::ask_json(model, std::move(request), ctx, "draft", std::move(accept), detail::Readers::people);
  detail::ModelAnswer answer = co_await std::move(pending);
  const json::object* o = answer.json.if_object();
  json::object article;
  article["title"] = string_of(*o, "title").substr(0, kMaxTitleChars);
  article["description"] = string_of(*o, "description").substr(0, 500);
  article["content"] = string_of(*o, "content");
  article["locale"] = locale;
  article["model"] = answer.model;
  article["offline"] = answer.offline;
  json::object update;
  update["draft"] = std::move(article);
  co_return update;
}

// review: a human approves, edits (replaces the title, the Markdown content, or both) or rejects
// the draft. An answer that is not one of the accepted forms asks again, saying what was wrong.
json::object review(StateView state, NodeContext ctx) {
  json::object draft_article = state.get("draft").as_object();
  json::object decision;
  if (!bool_of(input_of(state), "require_review", true)) {
    decision["action"] = "approve";
    decision["by"] = "no review requested";
  } else {
    json::object subject = draft_article;
    subject["source_session_id"] = state.get("conversation").as_object().at("session_id");
    std::string problem;
    for (int attempt = 0; attempt < kMaxDecisionAttempts; ++attempt) {
      json::object request = decision_request("Publish this helpdesk article?", subject, "reject");
      request["answer_examples"].as_object()["edit"] = R"({"action":"edit","title":"...","text":"..."})";
      if (!problem.empty()) request["previous_answer_problem"] = problem;
      json::value answer = ctx.interrupt(json::value(std::move(request)));
      try {
        HumanDecision d = parse_human_decision(answer, "reject", EditFields::text_and_title);
        if (d.title.size() > kMaxTitleChars)
          throw std::invalid_argument("the edited title is " + std::to_string(d.title.size()) +
                                      " characters long (at most " + std::to_string(kMaxTitleChars) + ")");
        decision["action"] = d.action == HumanDecision::Action::approve ? "approve"
                             : d.action == HumanDecision::Action::edit  ? "edit"
                                                                        : "reject";
        if (!d.text.empty()) draft_article["content"] = d.text;
        if (!d.title.empty()) draft_article["title"] = d.title;
        problem.clear();
        break;
      } catch (const std::invalid_argument& e) {
        problem = e.what();
      }
    }
    if (!problem.empty()) throw Error(error::invalid_decision, "review: " + problem);
  }
  json::object update;
  update["decision"] = std::move(decision);
  update["draft"] = std::move(draft_article);
  return update;
}

boost::asio::awaitable<json::object> create_article(ToolRegistry tools, StateView state, NodeContext ctx) {
  json::object draft_article = state.get("draft").as_object();
  json::object args;
  args["locale"] = draft_article["locale"];
  args["title"] = draft_article["title"];
  if (!string_of(draft_article, "description").empty()) args["description"] = draft_article["description"];
  args["content"] = draft_article["content"];
  auto pending = call_tool(tools, "create_a_crisp_helpdesk_article", std::move(args), ctx, "create");
  json::value created = co_await std::move(pending);
  json::object article;
  article["locale"] = draft_article["locale"];
  article["title"] = draft_article["title"];
  if (const json::object* o = created.if_object()) {
    if (!string_of(*o, "article_id").empty()) article["article_id"] = string_of(*o, "article_id");
    if (!string_of(*o, "tree_path").empty()) article["tree_path"] = string_of(*o, "tree_path");
  }
  if (!article.contains("article_id") && !article.contains("tree_path")) {
    throw Error(error::tool_failed, "create_a_crisp_helpdesk_article returned neither article_id nor tree_path");
  }
  json::object update;
  update["article"] = std::move(article);
  co_return update;
}

boost::asio::awaitable<json::object> publish(ToolRegistry tools, StateView state, NodeContext ctx) {
  json::object article = state.get("article").as_object();
  json::object args;
  args["locale"] = article["locale"];
  if (article.contains("article_id")) args["article_id"] = article["article_id"];
  if (article.contains("tree_path")) args["tree_path"] = article["tree_path"];
  auto pending = call_tool(tools, "crisp_helpdesk_articles_publish", std::move(args), ctx, "publish");
  json::value published = co_await std::move(pending);
  if (const json::object* o = published.if_object()) article["url"] = string_of(*o, "url");
  article["published"] = true;
  json::object update;
  update["article"] = std::move(article);
  co_return update;
}

Route after_review(StateView state) {
  const json::value* decision = state.find("decision");
  if (decision && decision->is_object() && string_of(decision->as_object(), "action") == "reject")
    return Route("summarize");
  return Route("create_article");
}

json::object summarize(StateView state, NodeContext) {
  std::string summary;
  json::object decision = state.get("decision").is_object() ? state.get("decision").as_object() : json::object();
  json::object draft_article = state.get("draft").is_object() ? state.get("draft").as_object() : json::object();
  std::string session = state.get("conversation").is_object()
                            ? string_of(state.get("conversation").as_object(), "session_id")
                            : std::string();
  if (string_of(decision, "action") == "reject") {
    summary = "Draft '" + string_of(draft_article, "title") + "' from " + session +
              " was rejected by the reviewer; no article was created.";
  } else {
    json::object article = state.get("article").as_object();
    std::string url = string_of(article, "url");
    summary = "Published helpdesk article '" + string_of(article, "title") + "' (locale " +
              string_of(article, "locale") + ") from " + session + ": " +
              (url.empty() ? std::string("Crisp returned no URL") : url) + ".";
    if (string_of(decision, "action") == "edit") summary += " The reviewer edited the draft before publishing.";
  }
  json::object extraction = state.get("extraction").is_object() ? state.get("extraction").as_object() : json::object();
  summary += "\n  Problem: " + string_of(extraction, "problem") + "\n  Solution: " + string_of(extraction, "solution");
  if (bool_of(draft_article, "offline", false)) {
    summary += offline_model_note("Extracted and drafted", "heuristic");
  }
  json::object update;
  update["summary"] = summary;
  return update;
}

CompiledGraph build(const GraphServices& services, CompileOptions options) {
  ToolRegistry tools = services.crisp_tools.allow(kAllowedTools);
  std::shared_ptr<ChatModel> model = detail::with_model_options(services.model, services.model_options);
  StateGraph graph({{"input", Channel::last_value()},
                    {"conversation", Channel::last_value()},
                    {"extraction", Channel::last_value()},
                    {"draft", Channel::last_value()},
                    {"decision", Channel::last_value()},
                    {"article", Channel::last_value()},
                    {"summary", Channel::last_value()}},
                   "kb_enrichment");
  graph.add_node("read", [tools](StateView s, NodeContext c) { return read(tools, std::move(s), std::move(c)); });
  graph.add_node("extract", [model](StateView s, NodeContext c) { return extract(model, std::move(s), std::move(c)); });
  graph.add_node("draft", [model](StateView s, NodeContext c) { return draft(model, std::move(s), std::move(c)); });
  graph.add_node("review", review);
  graph.add_node("create_article",
                 [tools](StateView s, NodeContext c) { return create_article(tools, std::move(s), std::move(c)); });
  graph.add_node("publish", [tools](StateView s, NodeContext c) { return publish(tools, std::move(s), std::move(c)); });
  graph.add_node("summarize", summarize);
  graph.add_edge(std::string(START), "read");
  graph.add_edge("read", "extract");
  graph.add_edge("extract", "draft");
  graph.add_edge("draft", "review");
  graph.add_conditional_edges("review", after_review, std::vector<std::string>{"create_article", "summarize"});
  graph.add_edge("create_article", "publish");
  graph.add_edge("publish", "summarize");
  graph.add_edge("summarize", std::string(END));
  return graph.compile(std::move(options));
}

}  // namespace

GraphDefinition kb_enrichment_definition() {
  return detail::make_definition(
      "kb_enrichment",
      "Turn a resolved conversation into a helpdesk article: extract problem and solution, draft, human review, "
      "create and publish in the locale.",
      kInputSchema, build);
}

}  // namespace weft::graphs
