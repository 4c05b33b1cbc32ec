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
#include "graphs/detail/definition.hpp"
#include "graphs/detail/live_reply_conversation.hpp"
#include "graphs/detail/live_reply_draft.hpp"
#include "graphs/detail/live_reply_prompts.hpp"
#include "graphs/detail/live_reply_search.hpp"
#include "graphs/detail/live_reply_summary.hpp"
#include "graphs/detail/model_options.hpp"
#include "graphs/detail/node_support.hpp"
#include "graphs/detail/session_guard.hpp"
#include "graphs/detail/spam_report.hpp"
#include "graphs/error.hpp"
#include "graphs/human_decision.hpp"

#include <stdexcept>

namespace json = boost::json;

namespace weft::graphs {
namespace {

using detail::bool_of;
using detail::call_tool;
using detail::input_of;
using detail::object_or_empty;
using detail::string_of;
using namespace detail::live_reply;

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
constexpr std::size_t kMaxEditChars = 10000;  // what Crisp accepts in one message

std::string session_of(const StateView& state) { return string_of(input_of(state), "session_id"); }

// The tools of this run: the graph's view with every write pinned to the input's conversation.
ToolRegistry run_tools(const ToolRegistry& view, const StateView& state) {
  return detail::pin_writes_to_session(view, session_of(state));
}

// ---- read ----------------------------------------------------------------------------------

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
  const bool offline = bool_of(object_or_empty(state.get("classification")), "offline", false);
  const bool block = bool_of(input_of(state), "block_spam", true);
  auto pending = detail::report_spam(run_tools(view, state), session_of(state), offline, block, ctx);
  std::string action = co_await std::move(pending);
  json::object delivery;
  delivery["action"] = std::move(action);
  json::object update;
  update["delivery"] = std::move(delivery);
  co_return update;
}

// ---- search --------------------------------------------------------------------------------

boost::asio::awaitable<json::object> search(ToolRegistry view, StateView state, NodeContext ctx) {
  const json::object conversation = state.get("conversation").as_object();
  const std::string question = string_of(conversation.at("visitor_message").as_object(), "text");
  auto pending = search_helpdesk(run_tools(view, state), string_of(input_of(state), "locale", "en"), question, ctx);
  json::object update = co_await std::move(pending);
  co_return update;
}

// ---- draft ---------------------------------------------------------------------------------

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
