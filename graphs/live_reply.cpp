// SPDX-License-Identifier: MIT
// live_reply: answer one visitor message in one conversation. Read the conversation, classify the
// message (spam / question / out of scope), and for a question search the helpdesk, draft a reply
// that cites what the search found, and send it once: by itself only when the input allows it,
// the model is a real one, confident enough, and the draft passes every check; otherwise after a
// human approves (or edits) it.
//
//   START -> read --(message already answered by this thread)------------------------> summarize -> END
//                \-> classify --spam---------> report -------------------------------------^
//                             --out of scope-----------------------------------------------^
//                             --question---> search -> draft -> review --send--> send -----^
//                                                                     \--reject------------^
//
// Every write goes through a tool view pinned to the input's conversation (detail/session_guard),
// so no model answer can move a write elsewhere; the model never names a tool.

#include "graphs/live_reply.hpp"

#include "engine/special_nodes.hpp"
#include "graphs/detail/article_ranking.hpp"
#include "graphs/detail/definition.hpp"
#include "graphs/detail/model_options.hpp"
#include "graphs/detail/node_support.hpp"
#include "graphs/detail/reply_checks.hpp"
#include "graphs/detail/session_guard.hpp"
#include "graphs/error.hpp"
#include "graphs/human_decision.hpp"
#include "graphs/untrusted.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <optional>
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
        "description": "The conversation to answer. Every write of the run is pinned to it."},
    "message_fingerprint": {"type": "integer", "minimum": 0,
        "description": "The visitor message that triggered the run (a web hook's data.fingerprint); default: the latest visitor message. A message this thread already answered is not answered again."},
    "auto_send": {"type": "boolean", "default": false,
        "description": "Send without a human when the model's confidence reaches min_confidence and the draft passes every check; default false: a human approves every reply. Never with the offline model."},
    "min_confidence": {"type": "number", "minimum": 0, "maximum": 1, "default": 0.8,
        "description": "The model's confidence (0..1) a reply needs to be sent without a human (with auto_send)."},
    "locale": {"type": "string", "pattern": "^[a-z]{2}(-[a-z0-9]{2,4})?$", "default": "en",
        "description": "Helpdesk locale searched for articles."},
    "block_spam": {"type": "boolean", "default": true,
        "description": "Block the conversation after reporting it as spam (never on the offline model's verdict, which only reports)."}
  },
  "required": ["session_id"],
  "additionalProperties": false
})";

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

// Reads, and the three writes: a message, a spam report, a block. No delete, no inbox move, no
// helpdesk write, no other conversation (the view is pinned to the input's session per run).
const std::vector<std::string> kAllowedTools = {"list_all_crisp_messages",
                                                "list_all_crisp_helpdesk_articles",
                                                "get_single_crisp_helpdesk_article_by_id",
                                                "get_single_crisp_helpdesk_article_page_by_id",
                                                "create_a_crisp_message",
                                                "create_a_crisp_report",
                                                "update_a_crisp_conversation_block_by_id"};

constexpr int kMaxDecisionAttempts = 5;
constexpr std::size_t kExcerptMessages = 10;
constexpr std::size_t kMaxArticles = 3;
constexpr std::int64_t kMaxArticlePages = 5;
constexpr std::size_t kArticleExcerptChars = 1500;
constexpr std::size_t kMaxEditChars = 10000;     // what Crisp accepts in one message
constexpr std::size_t kRememberedReplies = 200;  // visitor messages a thread remembers answering

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string session_of(const StateView& state) { return string_of(input_of(state), "session_id"); }

// The tools of this run: the graph's view with every write pinned to the input's conversation.
ToolRegistry run_tools(const ToolRegistry& view, const StateView& state) {
  return detail::pin_writes_to_session(view, session_of(state));
}

json::object object_or_empty(const json::value& v) { return v.is_object() ? v.as_object() : json::object(); }

std::optional<std::int64_t> fingerprint_of(const json::object& message) {
  const json::value* fp = message.if_contains("fingerprint");
  if (fp == nullptr) return std::nullopt;
  if (fp->is_int64()) return fp->as_int64();
  if (fp->is_uint64()) return static_cast<std::int64_t>(fp->as_uint64());
  return std::nullopt;
}

// ---- read ----------------------------------------------------------------------------------

// The conversation as the later steps see it: the visitor message to answer and the excerpt
// that led to it. Throws graphs::error::not_found when there is no such message.
json::object conversation_of(const json::object& input, const json::value& messages) {
  const std::string session_id = string_of(input, "session_id");
  json::array lines;
  if (messages.is_array()) {
    for (const auto& m : messages.as_array()) {
      if (!m.is_object()) continue;
      const auto& msg = m.as_object();
      const json::value* content = msg.if_contains("content");
      if (!content || !content->is_string() || string_of(msg, "type", "text") != "text") continue;
      json::object line;
      line["from"] = string_of(msg, "from");
      line["text"] = *content;
      if (auto fp = fingerprint_of(msg)) line["fingerprint"] = *fp;
      lines.push_back(std::move(line));
    }
  }
  const json::value* wanted = input.if_contains("message_fingerprint");
  std::optional<std::size_t> trigger;
  for (std::size_t i = lines.size(); i-- > 0;) {
    const json::object& line = lines[i].as_object();
    if (string_of(line, "from") != "user") continue;
    if (wanted && wanted->is_number() && fingerprint_of(line) != wanted->to_number<std::int64_t>()) continue;
    trigger = i;
    break;
  }
  if (!trigger) {
    if (wanted) {
      throw Error(error::not_found, "conversation " + session_id + " has no visitor message with fingerprint " +
                                        json::serialize(*wanted) +
                                        " among its recent messages; give a recent visitor message's fingerprint, "
                                        "or none to answer the latest");
    }
    throw Error(error::not_found, "conversation " + session_id + " has no visitor text message to answer");
  }
  json::array excerpt;
  const std::size_t first = *trigger + 1 > kExcerptMessages ? *trigger + 1 - kExcerptMessages : 0;
  for (std::size_t i = first; i <= *trigger; ++i) excerpt.push_back(lines[i]);
  json::object conversation;
  conversation["session_id"] = session_id;
  conversation["visitor_message"] = lines[*trigger];
  conversation["excerpt"] = std::move(excerpt);
  return conversation;
}

// The key under which a thread remembers answering a visitor message: its fingerprint.
std::string message_key(const json::object& conversation) {
  const json::object& message = conversation.at("visitor_message").as_object();
  auto fp = fingerprint_of(message);
  return fp ? std::to_string(*fp) : std::string();
}

json::object read_update(const json::object& input, const json::value& messages, const json::value& replied) {
  json::object conversation = conversation_of(input, messages);
  json::value already = nullptr;
  const std::string key = message_key(conversation);
  if (!key.empty() && replied.is_object()) {
    if (const json::value* earlier = replied.as_object().if_contains(key)) already = *earlier;
  }
  json::object update;
  update["conversation"] = std::move(conversation);
  update["already_replied"] = std::move(already);
  // The thread's state outlives a run (one thread per conversation): clear what the previous
  // visitor message's run decided, so nothing of it is taken for this one.
  for (const char* channel : {"classification", "draft", "decision", "reply_text", "delivery", "search_error"})
    update[channel] = nullptr;
  update["articles"] = json::array();
  return update;
}

boost::asio::awaitable<json::object> read(ToolRegistry view, StateView state, NodeContext ctx) {
  json::object input = input_of(state);
  json::object args;
  args["session_id"] = string_of(input, "session_id");
  auto pending = call_tool(run_tools(view, state), "list_all_crisp_messages", std::move(args), ctx, "messages");
  json::value messages = co_await std::move(pending);
  json::object update = read_update(input, messages, state.get("replied"));
  co_return update;
}

Route after_read(StateView state) {
  const json::value* already = state.find("already_replied");
  if (already && !already->is_null()) return Route("summarize");
  return Route("classify");
}

// ---- classify ------------------------------------------------------------------------------

std::string visitor_text(const json::object& conversation) {
  std::string text;
  for (const auto& line : conversation.at("excerpt").as_array()) {
    if (string_of(line.as_object(), "from") == "user") text += string_of(line.as_object(), "text") + "\n";
  }
  return text;
}

json::object quoted_conversation(const json::object& conversation) {
  json::object quoted;
  quoted["visitor_message"] = string_of(conversation.at("visitor_message").as_object(), "text");
  json::array excerpt;
  for (const auto& line : conversation.at("excerpt").as_array()) {
    json::object l;
    l["from"] = string_of(line.as_object(), "from");
    l["text"] = string_of(line.as_object(), "text");
    excerpt.push_back(std::move(l));
  }
  quoted["conversation"] = std::move(excerpt);
  return quoted;
}

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

// The graph's category for an answer. The offline model answers in spam_triage's labels: its
// technical and sales matches are questions a help center may answer; "other" means its keyword
// rules found nothing, which is left for a human.
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

boost::asio::awaitable<json::object> classify(std::shared_ptr<ChatModel> model, StateView state, NodeContext ctx) {
  const json::object conversation = state.get("conversation").as_object();
  json::object classification;
  try {
    ChatRequest request = classification_request(conversation);
    auto pending = detail::ask_json(model, std::move(request), ctx, "classify");
    detail::ModelAnswer answer = co_await std::move(pending);
    classification = classification_of(answer);
  } catch (const Error& e) {
    if (e.code() != make_error_code(error::bad_model_output)) throw;
    classification["category"] = "out_of_scope";
    classification["reason"] = std::string("unclassifiable, left for a human: ") + e.what();
    classification["offline"] = model->is_offline();
  }
  json::object update;
  update["classification"] = std::move(classification);
  co_return update;
}

Route after_classify(StateView state) {
  const std::string category = string_of(object_or_empty(state.get("classification")), "category");
  if (category == "spam") return Route("report");
  if (category == "question") return Route("search");
  return Route("summarize");
}

// ---- report --------------------------------------------------------------------------------

boost::asio::awaitable<json::object> report(ToolRegistry view, StateView state, NodeContext ctx) {
  const ToolRegistry tools = run_tools(view, state);
  const std::string session_id = session_of(state);
  const bool offline = bool_of(object_or_empty(state.get("classification")), "offline", false);
  json::object args;
  args["session_id"] = session_id;
  args["flag"] = "spam";
  auto pending_report = call_tool(tools, "create_a_crisp_report", std::move(args), ctx, "report");
  co_await std::move(pending_report);
  std::string action = "reported as spam";
  // Blocking silences a visitor for good; a keyword heuristic must never be the reason a real
  // customer is blocked, so an offline verdict is at most reported (as in spam_triage).
  if (offline) {
    action = "reported as spam (not blocked: offline verdict)";
  } else if (bool_of(input_of(state), "block_spam", true)) {
    json::object block;
    block["session_id"] = session_id;
    block["blocked"] = true;
    auto pending_block = call_tool(tools, "update_a_crisp_conversation_block_by_id", std::move(block), ctx, "block");
    co_await std::move(pending_block);
    action = "reported as spam and blocked";
  }
  json::object delivery;
  delivery["action"] = action;
  json::object update;
  update["delivery"] = std::move(delivery);
  co_return update;
}

// ---- search --------------------------------------------------------------------------------

struct Candidate {
  std::string title;
  json::object id;  // {"article_id"} or {"tree_path"}: how the article tools name it
};

std::vector<Candidate> public_articles(const json::array& items) {
  std::vector<Candidate> out;
  for (const auto& item : items) {
    if (!item.is_object() || !detail::is_public_article(item.as_object())) continue;
    const json::object& o = item.as_object();
    Candidate c;
    c.title = string_of(o, "title");
    if (!string_of(o, "article_id").empty()) c.id["article_id"] = o.at("article_id");
    if (!string_of(o, "tree_path").empty()) c.id["tree_path"] = o.at("tree_path");
    if (!c.title.empty() && !c.id.empty()) out.push_back(std::move(c));
  }
  return out;
}

json::object article_of(std::size_t n, const Candidate& c, const json::value& page, const json::value& body) {
  json::object article;
  article["n"] = static_cast<std::int64_t>(n);
  const json::object page_object = object_or_empty(page);
  const json::object body_object = object_or_empty(body);
  const std::string title = string_of(page_object, "title", c.title);
  article["title"] = title.empty() ? c.title : title;
  // The URL is the one Crisp gave for the article's public page: never composed, never invented.
  article["url"] = string_of(page_object, "url");
  article["description"] = string_of(body_object, "description");
  article["content"] = string_of(body_object, "content").substr(0, kArticleExcerptChars);
  return article;
}

boost::asio::awaitable<json::object> search(ToolRegistry view, StateView state, NodeContext ctx) {
  const ToolRegistry tools = run_tools(view, state);
  const std::string locale = string_of(input_of(state), "locale", "en");
  const json::object conversation = state.get("conversation").as_object();
  json::array articles;
  std::string search_error;
  try {
    json::array items;
    for (std::int64_t page = 1; page <= kMaxArticlePages; ++page) {
      json::object args;
      args["locale"] = locale;
      args["page_number"] = page;
      auto pending = call_tool(tools, "list_all_crisp_helpdesk_articles", std::move(args), ctx,
                               "articles:" + std::to_string(page));
      json::value listed = co_await std::move(pending);
      if (!listed.is_array() || listed.as_array().empty()) break;
      for (auto& item : listed.as_array()) items.push_back(item);
    }
    const std::vector<Candidate> candidates = public_articles(items);
    std::vector<std::string> titles;
    for (const auto& c : candidates) titles.push_back(c.title);
    const std::string question = string_of(conversation.at("visitor_message").as_object(), "text");
    const std::vector<std::size_t> best = detail::rank_by_title(question, titles, kMaxArticles);
    for (std::size_t i = 0; i < best.size(); ++i) {
      const Candidate& c = candidates[best[i]];
      json::object args = c.id;
      args["locale"] = locale;
      json::object page_args = args;
      auto pending_page = call_tool(tools, "get_single_crisp_helpdesk_article_page_by_id", std::move(page_args), ctx,
                                    "page:" + std::to_string(i + 1));
      json::value page = co_await std::move(pending_page);
      auto pending_body = call_tool(tools, "get_single_crisp_helpdesk_article_by_id", std::move(args), ctx,
                                    "article:" + std::to_string(i + 1));
      json::value body = co_await std::move(pending_body);
      articles.push_back(article_of(i + 1, c, page, body));
    }
  } catch (const Error& e) {
    // No knowledge base (402), or it cannot be read: the reply is drafted without articles, and a
    // reply that cites nothing is never sent without a human.
    if (e.code() != make_error_code(error::tool_failed)) throw;
    search_error = e.what();
    articles.clear();
  }
  json::object update;
  update["articles"] = std::move(articles);
  update["search_error"] = search_error.empty() ? json::value(nullptr) : json::value(search_error);
  co_return update;
}

// ---- draft ---------------------------------------------------------------------------------

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

std::string sources_heading(const std::string& locale) {
  return locale.rfind("fr", 0) == 0 ? "Articles :" : "Articles:";
}

std::string describe_tool_call(const json::value& call) {
  const json::object o = object_or_empty(call);
  const json::object function = object_or_empty(o.contains("function") ? o.at("function") : json::value());
  std::string name = string_of(function, "name", "?");
  std::string arguments = string_of(function, "arguments");
  boost::system::error_code ec;
  json::value args = json::parse(arguments, ec);
  std::string session = !ec && args.is_object() ? string_of(args.as_object(), "session_id") : std::string();
  return name.substr(0, 64) + (session.empty() ? std::string() : " on " + session.substr(0, 60));
}

// The draft as it would appear in the chat, the citations (only articles the search returned),
// and every reason it must not be sent without a human.
json::object draft_of(const detail::ModelAnswer& answer, const json::array& articles, const std::string& session_id,
                      const std::string& locale) {
  const json::object verdict = object_or_empty(answer.json);
  const std::string reply = string_of(verdict, "reply");
  double confidence = 0;
  if (const json::value* c = verdict.if_contains("confidence"); c && c->is_number())
    confidence = c->to_number<double>();
  confidence = std::clamp(confidence, 0.0, 1.0);
  json::array problems;
  json::array cited;
  std::vector<std::string> urls;
  for (const auto& a : articles) urls.emplace_back(string_of(a.as_object(), "url"));
  if (const json::value* numbers = verdict.if_contains("cited"); numbers && numbers->is_array()) {
    std::vector<std::int64_t> seen;
    for (const auto& n : numbers->as_array()) {
      const std::int64_t k =
          n.is_int64() ? n.as_int64() : (n.is_uint64() ? static_cast<std::int64_t>(n.as_uint64()) : -1);
      if (k < 1 || k > static_cast<std::int64_t>(articles.size())) {
        problems.push_back(json::value("it cites article " + json::serialize(n).substr(0, 40) +
                                       ", which the helpdesk search did not return"));
        continue;
      }
      if (std::find(seen.begin(), seen.end(), k) != seen.end()) continue;
      seen.push_back(k);
      const json::object& article = articles[static_cast<std::size_t>(k - 1)].as_object();
      json::object citation;
      citation["title"] = article.at("title");
      citation["url"] = article.at("url");
      cited.push_back(std::move(citation));
    }
  }
  if (cited.empty()) problems.push_back(json::value("it cites no helpdesk article"));
  for (const auto& p : detail::reply_problems(reply, urls)) problems.push_back(json::value(p));
  // A session the answer names is never used; a different one means the model was steered.
  const std::string named = string_of(verdict, "session_id");
  if (!named.empty() && named != session_id) {
    problems.push_back(json::value("the model named another conversation (" + named.substr(0, 60) +
                                   "); live_reply writes only in " + session_id + " and sent nothing there"));
  }
  json::array refused;
  for (const auto& call : answer.tool_calls) {
    refused.push_back(json::value(describe_tool_call(call)));
    problems.push_back(json::value("the model asked to call " + describe_tool_call(call) +
                                   ": refused, live_reply runs no tool a model names"));
  }
  std::string text = reply;
  if (!cited.empty()) {
    text += "\n\n" + sources_heading(locale);
    for (const auto& c : cited) {
      const json::object& citation = c.as_object();
      const std::string url = string_of(citation, "url");
      text += "\n- " + string_of(citation, "title") + (url.empty() ? std::string() : ": " + url);
    }
  }
  json::object draft;
  draft["reply"] = reply;
  draft["text"] = text;
  draft["confidence"] = confidence;
  draft["citations"] = std::move(cited);
  draft["problems"] = std::move(problems);
  draft["refused_tool_calls"] = std::move(refused);
  draft["model"] = answer.model;
  draft["offline"] = answer.offline;
  return draft;
}

boost::asio::awaitable<json::object> draft(std::shared_ptr<ChatModel> model, StateView state, NodeContext ctx) {
  const json::object conversation = state.get("conversation").as_object();
  const json::value listed = state.get("articles");
  const json::array articles = listed.is_array() ? listed.as_array() : json::array();
  const std::string locale = string_of(input_of(state), "locale", "en");
  detail::AnswerCheck accept = [](detail::ModelAnswer& a) {
    const json::object* o = a.json.if_object();
    if (!o || string_of(*o, "reply").empty()) {
      throw Error(error::bad_model_output, "model " + a.model + " did not draft a reply");
    }
  };
  ChatRequest request = reply_request(conversation, articles, locale);
  auto pending = detail::ask_json(model, std::move(request), ctx, "reply", std::move(accept), detail::Readers::people);
  detail::ModelAnswer answer = co_await std::move(pending);
  json::object update;
  update["draft"] = draft_of(answer, articles, session_of(state), locale);
  co_return update;
}

// ---- review --------------------------------------------------------------------------------

std::string two_decimals(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f", v);
  return buffer;
}

// Why this draft needs a human, or nothing when the policy lets it go by itself.
json::array reasons_to_ask(const json::object& input, const json::object& draft) {
  json::array reasons;
  if (!bool_of(input, "auto_send", false))
    reasons.push_back(json::value("auto_send is off: a human approves every reply"));
  const double min_confidence = input.contains("min_confidence") && input.at("min_confidence").is_number()
                                    ? input.at("min_confidence").to_number<double>()
                                    : 0.8;
  const double confidence = draft.at("confidence").to_number<double>();
  if (bool_of(draft, "offline", false)) {
    reasons.push_back(
        json::value("the offline model drafted this reply: its confidence is not a confidence, so it is "
                    "never sent without a human"));
  } else if (confidence < min_confidence) {
    reasons.push_back(json::value("the model's confidence " + two_decimals(confidence) + " is below min_confidence " +
                                  two_decimals(min_confidence)));
  }
  for (const auto& p : draft.at("problems").as_array()) reasons.push_back(p);
  return reasons;
}

json::object review(StateView state, NodeContext ctx) {
  const json::object input = input_of(state);
  const json::object draft_reply = state.get("draft").as_object();
  const json::object conversation = state.get("conversation").as_object();
  std::string text = string_of(draft_reply, "text");
  json::object decision;
  const json::array reasons = reasons_to_ask(input, draft_reply);
  if (reasons.empty()) {
    decision["action"] = "auto";
    decision["by"] = "policy";
  } else {
    json::object subject;
    subject["session_id"] = conversation.at("session_id");
    subject["visitor_message"] = conversation.at("visitor_message");
    subject["conversation_excerpt"] = conversation.at("excerpt");
    subject["reply"] = text;  // exactly what the visitor would see
    subject["citations"] = draft_reply.at("citations");
    // The offline template's 0 is not a confidence: shown as none rather than as a low score.
    subject["confidence"] =
        bool_of(draft_reply, "offline", false) ? json::value(nullptr) : draft_reply.at("confidence");
    subject["model"] = draft_reply.at("model");
    subject["offline"] = draft_reply.at("offline");
    subject["why_asked"] = reasons;
    std::string problem;
    for (int attempt = 0; attempt < kMaxDecisionAttempts; ++attempt) {
      json::object ask = decision_request("Send this reply to the visitor?", subject, "reject");
      if (!problem.empty()) ask["previous_answer_problem"] = problem;
      json::value answer = ctx.interrupt(json::value(std::move(ask)));
      try {
        HumanDecision d = parse_human_decision(answer, "reject");
        if (d.action == HumanDecision::Action::edit && d.text.size() > kMaxEditChars) {
          throw std::invalid_argument("the edited text is " + std::to_string(d.text.size()) +
                                      " characters long (at most " + std::to_string(kMaxEditChars) + ")");
        }
        decision["action"] = d.action == HumanDecision::Action::approve ? "approve"
                             : d.action == HumanDecision::Action::edit  ? "edit"
                                                                        : "reject";
        decision["by"] = "human";
        if (d.action == HumanDecision::Action::edit) text = d.text;
        problem.clear();
        break;
      } catch (const std::invalid_argument& e) {
        problem = e.what();
      }
    }
    if (!problem.empty())
      throw Error(error::invalid_decision, "approval of the reply in " + session_of(state) + ": " + problem);
  }
  json::object update;
  update["decision"] = std::move(decision);
  update["reply_text"] = text;
  return update;
}

Route after_review(StateView state) {
  if (string_of(object_or_empty(state.get("decision")), "action") == "reject") return Route("summarize");
  return Route("send");
}

// ---- send ----------------------------------------------------------------------------------

// The thread's memory of answered visitor messages, with this one added (oldest forgotten first).
json::object remember_reply(const json::value& replied, const std::string& key, json::object record) {
  json::object out = object_or_empty(replied);
  if (key.empty()) return out;
  out[key] = std::move(record);
  if (out.size() <= kRememberedReplies) return out;
  // Rebuilt rather than erased: json::object::erase moves the last entry into the hole, which
  // would lose the insertion order that says which entries are the oldest.
  json::object kept;
  std::size_t skip = out.size() - kRememberedReplies;
  for (auto& entry : out) {
    if (skip > 0) {
      --skip;
      continue;
    }
    kept[entry.key()] = std::move(entry.value());
  }
  return kept;
}

boost::asio::awaitable<json::object> send(ToolRegistry view, StateView state, NodeContext ctx) {
  const json::object conversation = state.get("conversation").as_object();
  json::object message;
  message["session_id"] = session_of(state);
  message["type"] = "text";
  message["from"] = "operator";
  message["origin"] = "chat";
  message["content"] = state.get("reply_text");
  // Journaled under the task and "reply": a resumed or re-run task replays the recorded send, and
  // a send left in doubt by a crash is looked up by its fingerprint instead of being repeated.
  auto pending = call_tool(run_tools(view, state), "create_a_crisp_message", std::move(message), ctx, "reply");
  json::value sent = co_await std::move(pending);
  json::object delivery;
  delivery["action"] = "sent";
  if (const json::object* o = sent.if_object()) {
    if (const json::value* fp = o->if_contains("fingerprint")) delivery["fingerprint"] = *fp;
  }
  json::object record = delivery;
  record["decision"] = string_of(object_or_empty(state.get("decision")), "action");
  json::object update;
  update["replied"] = remember_reply(state.get("replied"), message_key(conversation), std::move(record));
  update["delivery"] = std::move(delivery);
  co_return update;
}

// ---- summarize -----------------------------------------------------------------------------

std::string quote_line(const std::string& text) {
  std::string one = text.substr(0, 300);
  std::replace(one.begin(), one.end(), '\n', ' ');
  return "\"" + one + (text.size() > 300 ? "...\"" : "\"");
}

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

CompiledGraph build(const GraphServices& services, CompileOptions options) {
  ToolRegistry view = services.crisp_tools.allow(kAllowedTools);
  std::shared_ptr<ChatModel> model = detail::with_model_options(services.model, services.model_options);
  StateGraph graph({{"input", Channel::last_value()},
                    {"conversation", Channel::last_value()},
                    {"already_replied", Channel::last_value()},
                    {"classification", Channel::last_value()},
                    {"articles", Channel::last_value()},
                    {"search_error", Channel::last_value()},
                    {"draft", Channel::last_value()},
                    {"decision", Channel::last_value()},
                    {"reply_text", Channel::last_value()},
                    {"delivery", Channel::last_value()},
                    {"replied", Channel::last_value()},
                    {"summary", Channel::last_value()},
                    {"outcome", Channel::last_value()}},
                   "live_reply");
  graph.add_node("read", [view](StateView s, NodeContext c) { return read(view, std::move(s), std::move(c)); });
  graph.add_node("classify",
                 [model](StateView s, NodeContext c) { return classify(model, std::move(s), std::move(c)); });
  graph.add_node("report", [view](StateView s, NodeContext c) { return report(view, std::move(s), std::move(c)); });
  graph.add_node("search", [view](StateView s, NodeContext c) { return search(view, std::move(s), std::move(c)); });
  graph.add_node("draft", [model](StateView s, NodeContext c) { return draft(model, std::move(s), std::move(c)); });
  graph.add_node("review", review);
  graph.add_node("send", [view](StateView s, NodeContext c) { return send(view, std::move(s), std::move(c)); });
  graph.add_node("summarize", summarize);
  graph.add_edge(std::string(START), "read");
  graph.add_conditional_edges("read", after_read, std::vector<std::string>{"classify", "summarize"});
  graph.add_conditional_edges("classify", after_classify, std::vector<std::string>{"report", "search", "summarize"});
  graph.add_edge("report", "summarize");
  graph.add_edge("search", "draft");
  graph.add_edge("draft", "review");
  graph.add_conditional_edges("review", after_review, std::vector<std::string>{"send", "summarize"});
  graph.add_edge("send", "summarize");
  graph.add_edge("summarize", std::string(END));
  return graph.compile(std::move(options));
}

}  // namespace

GraphDefinition live_reply_definition() {
  return detail::make_definition(
      "live_reply",
      "Answer a visitor's message in one conversation: report spam, leave out-of-scope messages to a human, "
      "draft a reply citing helpdesk articles and send it once, after a human's approval unless auto_send allows.",
      kInputSchema, build);
}

}  // namespace weft::graphs
