// SPDX-License-Identifier: MIT
// spam_triage: list the N most recent unread conversations, triage each one in parallel (Send),
// act on the classification through an allow-list of three write tools, and summarise.
//
//   START -> fetch --(Send per conversation)--> triage -> summarize -> END
//                 \--(none unread)----------------------^

#include "graphs/spam_triage.hpp"

#include "engine/special_nodes.hpp"
#include "graphs/detail/definition.hpp"
#include "graphs/detail/model_options.hpp"
#include "graphs/detail/node_support.hpp"
#include "graphs/detail/spam_report.hpp"
#include "graphs/error.hpp"
#include "graphs/untrusted.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <cctype>
#include <map>

namespace json = boost::json;

namespace weft::graphs {
namespace {

using detail::bool_of;
using detail::call_tool;
using detail::input_of;
using detail::int_of;
using detail::lower;
using detail::offline_model_note;
using detail::string_of;

constexpr const char* kInputSchema = R"({
  "type": "object",
  "properties": {
    "limit": {"type": "integer", "minimum": 1, "maximum": 50, "default": 20,
              "description": "How many of the most recent unread conversations to triage."},
    "engineering_inbox": {"type": "string", "minLength": 1, "default": "Engineering",
              "description": "Name of the inbox technical conversations move to (resolved to its id)."},
    "block_spam": {"type": "boolean", "default": true,
              "description": "Block a conversation after reporting it as spam (never on the offline model's verdict, which only reports)."}
  },
  "additionalProperties": false
})";

constexpr const char* kClassificationSchema = R"({
  "type": "object",
  "properties": {
    "category": {"type": "string", "enum": ["spam", "technical", "sales", "other"]},
    "reason": {"type": "string"}
  },
  "required": ["category", "reason"],
  "additionalProperties": false
})";

// Reads, plus the three writes triage may do. Nothing else is reachable from this graph.
const std::vector<std::string> kAllowedTools = {"list_all_crisp_conversations",
                                                "list_all_crisp_messages",
                                                "list_all_crisp_inboxes",
                                                "create_a_crisp_report",
                                                "update_a_crisp_conversation_block_by_id",
                                                "crisp_conversations_update_inbox"};

json::object conversation_summary(const json::object& c) {
  json::object out;
  out["session_id"] = string_of(c, "session_id");
  std::string nickname, email;
  if (auto* meta = c.if_contains("meta"); meta && meta->is_object()) {
    nickname = string_of(meta->as_object(), "nickname");
    email = string_of(meta->as_object(), "email");
  }
  out["nickname"] = nickname;
  out["email"] = email;
  out["last_message"] = string_of(c, "last_message");
  return out;
}

// fetch: the `limit` most recent unread conversations, and the engineering inbox's id.
boost::asio::awaitable<json::object> fetch(ToolRegistry tools, StateView state, NodeContext ctx) {
  json::object input = input_of(state);
  const std::int64_t limit = int_of(input, "limit", 20);
  json::array conversations;
  for (std::int64_t page = 1; static_cast<std::int64_t>(conversations.size()) < limit && page <= 10; ++page) {
    json::object args;
    args["page_number"] = page;
    args["per_page"] = std::clamp<std::int64_t>(limit, 20, 50);
    args["filter_unread"] = 1;
    auto pending =
        call_tool(tools, "list_all_crisp_conversations", std::move(args), ctx, "list:" + std::to_string(page));
    json::value items = co_await std::move(pending);
    if (!items.is_array() || items.as_array().empty()) break;
    for (const auto& item : items.as_array()) {
      if (static_cast<std::int64_t>(conversations.size()) >= limit) break;
      if (item.is_object()) conversations.push_back(conversation_summary(item.as_object()));
    }
  }

  const std::string inbox_name = string_of(input, "engineering_inbox", "Engineering");
  std::string inbox_id;
  std::vector<std::string> seen;
  for (std::int64_t page = 1; inbox_id.empty() && page <= 10; ++page) {
    json::object args;
    args["page_number"] = page;
    auto pending = call_tool(tools, "list_all_crisp_inboxes", std::move(args), ctx, "inboxes:" + std::to_string(page));
    json::value items = co_await std::move(pending);
    if (!items.is_array() || items.as_array().empty()) break;
    for (const auto& item : items.as_array()) {
      if (!item.is_object()) continue;
      std::string name = string_of(item.as_object(), "name");
      seen.push_back(name);
      if (lower(name) == lower(inbox_name)) {
        inbox_id = string_of(item.as_object(), "inbox_id");
        break;
      }
    }
  }
  if (inbox_id.empty()) {
    std::string names;
    for (const auto& n : seen) names += (names.empty() ? "" : ", ") + n;
    throw Error(error::not_found, "inbox '" + inbox_name + "' does not exist on this website (inboxes: " +
                                      (names.empty() ? std::string("none") : names) +
                                      "); give another name in the input, e.g. {\"engineering_inbox\":\"" +
                                      (seen.empty() ? std::string("Support") : seen.front()) + "\"}");
  }
  json::object update;
  update["conversations"] = std::move(conversations);
  update["engineering_inbox_id"] = inbox_id;
  update["engineering_inbox"] = inbox_name;
  co_return update;
}

// One Send per conversation; straight to the summary when nothing is unread.
Route fan_out(StateView state) {
  const json::value* conversations = state.find("conversations");
  if (!conversations || !conversations->is_array() || conversations->as_array().empty()) return Route("summarize");
  json::object input = input_of(state);
  std::vector<Send> sends;
  for (const auto& c : conversations->as_array()) {
    json::object arg;
    arg["conversation"] = c;
    arg["engineering_inbox_id"] = state.get("engineering_inbox_id");
    arg["engineering_inbox"] = state.get("engineering_inbox");
    arg["block_spam"] = bool_of(input, "block_spam", true);
    sends.push_back(Send{"triage", std::move(arg)});
  }
  return Route(std::move(sends));
}

json::array transcript_of(const json::value& messages) {
  json::array out;
  if (!messages.is_array()) return out;
  const auto& all = messages.as_array();
  // The last 20 text messages are plenty to classify and keep prompts small.
  std::size_t start = all.size() > 20 ? all.size() - 20 : 0;
  for (std::size_t i = start; i < all.size(); ++i) {
    if (!all[i].is_object()) continue;
    const auto& m = all[i].as_object();
    auto* content = m.if_contains("content");
    if (!content || !content->is_string()) continue;
    json::object line;
    line["from"] = string_of(m, "from");
    line["text"] = *content;
    out.push_back(std::move(line));
  }
  return out;
}

// triage: read, classify, act. Runs once per conversation (its state is the Send's argument).
boost::asio::awaitable<json::object> triage(std::shared_ptr<ChatModel> model, ToolRegistry tools, StateView state,
                                            NodeContext ctx) {
  const json::object conversation = state.at("conversation").as_object();
  const std::string session_id = string_of(conversation, "session_id");

  json::object list_args;
  list_args["session_id"] = session_id;
  auto pending_messages = call_tool(tools, "list_all_crisp_messages", std::move(list_args), ctx, "messages");
  json::value messages = co_await std::move(pending_messages);

  json::object quoted;
  quoted["visitor"] = string_of(conversation, "nickname");
  quoted["email"] = string_of(conversation, "email");
  quoted["messages"] = transcript_of(messages);

  ChatRequest request;
  request.messages.push_back(system_message(
      std::string("You triage live-chat conversations of a company's website. Put the conversation in exactly one "
                  "category: spam (unsolicited advertising, SEO or marketing offers, scams, bots, abuse), technical "
                  "(bug reports, errors, outages, integration or setup problems), sales (pricing, plans, quotes, "
                  "demos, buying), other (anything else). Answer with JSON {\"category\", \"reason\"}; the reason is "
                  "one short sentence. ") +
      std::string(untrusted_data_rule())));
  request.messages.push_back(user_message(quote_untrusted("conversation", json::value(quoted))));
  request.response_format = json_schema_format("classification", json::parse(kClassificationSchema));
  request.metadata["task"] = "classify";
  // Not sent to an LLM: the offline model classifies this plain text.
  std::string text;
  for (const auto& line : quoted["messages"].as_array()) {
    if (string_of(line.as_object(), "from") == "user") text += string_of(line.as_object(), "text") + "\n";
  }
  request.metadata["text"] = text;

  std::string category = "other";
  std::string reason;
  std::string model_name;
  bool offline = false;
  try {
    auto pending_answer = detail::ask_json(model, std::move(request), ctx, "classify");
    detail::ModelAnswer answer = co_await std::move(pending_answer);
    model_name = answer.model;
    offline = answer.offline;
    const json::object* verdict = answer.json.if_object();
    std::string c = verdict ? lower(string_of(*verdict, "category")) : std::string();
    if (c == "spam" || c == "technical" || c == "sales" || c == "other") {
      category = c;
      reason = string_of(*verdict, "reason");
    } else {
      reason = "the model's answer was not one of the four categories; left untouched";
    }
  } catch (const Error& e) {
    if (e.code() != make_error_code(error::bad_model_output)) throw;
    reason = std::string("unclassifiable: ") + e.what();
  }

  // The graph, not the model, maps the category to actions.
  std::string action = "left untouched";
  if (category == "spam") {
    const bool block = bool_of(state.snapshot(), "block_spam", true);
    auto pending = detail::report_spam(tools, session_id, offline, block, ctx);
    std::string taken = co_await std::move(pending);
    action = std::move(taken);
  } else if (category == "technical") {
    json::object move;
    move["session_id"] = session_id;
    move["inbox_id"] = state.get("engineering_inbox_id");
    auto pending_move = call_tool(tools, "crisp_conversations_update_inbox", std::move(move), ctx, "move");
    co_await std::move(pending_move);
    action = "moved to " + std::string(state.get_string("engineering_inbox", "Engineering"));
  }

  json::object result;
  result["session_id"] = session_id;
  result["nickname"] = string_of(conversation, "nickname");
  result["category"] = category;
  result["reason"] = reason;
  result["action"] = action;
  result["model"] = model_name;
  result["offline"] = offline;
  json::object update;
  update["results"] = json::array{json::value(std::move(result))};
  co_return update;
}

json::object summarize(StateView state, NodeContext) {
  std::map<std::string, json::object> by_session;
  bool offline = false;
  if (const json::value* results = state.find("results"); results && results->is_array()) {
    for (const auto& r : results->as_array()) {
      if (!r.is_object()) continue;
      by_session[string_of(r.as_object(), "session_id")] = r.as_object();
      offline = offline || bool_of(r.as_object(), "offline", false);
    }
  }
  std::map<std::string, std::int64_t> counts{{"spam", 0}, {"technical", 0}, {"sales", 0}, {"other", 0}};
  std::string lines;
  // One line per conversation, in the order they were listed (most recent first).
  if (const json::value* conversations = state.find("conversations"); conversations && conversations->is_array()) {
    for (const auto& c : conversations->as_array()) {
      std::string sid = string_of(c.as_object(), "session_id");
      auto it = by_session.find(sid);
      if (it == by_session.end()) continue;
      const json::object& r = it->second;
      std::string category = string_of(r, "category");
      ++counts[category];
      std::string who = string_of(r, "nickname");
      lines += "\n  " + sid + (who.empty() ? "" : " (" + who + ")") + ": " + category + " -> " + string_of(r, "action");
      std::string reason = string_of(r, "reason");
      if (!reason.empty()) lines += ". " + reason;
    }
  }
  std::int64_t total = counts["spam"] + counts["technical"] + counts["sales"] + counts["other"];
  std::string inbox(state.get_string("engineering_inbox", "Engineering"));
  std::string summary;
  if (total == 0) {
    summary = "No unread conversations to triage.";
  } else {
    summary =
        "Triaged " + std::to_string(total) + " unread conversation" + (total == 1 ? "" : "s") + ": " +
        std::to_string(counts["spam"]) + " spam (reported" +
        (offline ? ", never blocked offline" : (bool_of(input_of(state), "block_spam", true) ? " and blocked" : "")) +
        "), " + std::to_string(counts["technical"]) + " technical (moved to " + inbox + "), " +
        std::to_string(counts["sales"]) + " sales, " + std::to_string(counts["other"]) + " other (left as they were)." +
        lines;
    if (offline) {
      summary += offline_model_note("Classified", "heuristic");
    }
  }
  json::object count_object;
  for (const auto& [k, v] : counts) count_object[k] = v;
  json::object update;
  update["counts"] = std::move(count_object);
  update["summary"] = summary;
  return update;
}

CompiledGraph build(const GraphServices& services, CompileOptions options) {
  ToolRegistry tools = services.crisp_tools.allow(kAllowedTools);
  std::shared_ptr<ChatModel> model = detail::with_model_options(services.model, services.model_options);
  StateGraph graph({{"input", Channel::last_value()},
                    {"conversations", Channel::last_value()},
                    {"engineering_inbox_id", Channel::last_value()},
                    {"engineering_inbox", Channel::last_value()},
                    {"results", Channel::append()},
                    {"counts", Channel::last_value()},
                    {"summary", Channel::last_value()}},
                   "spam_triage");
  graph.add_node("fetch", [tools](StateView s, NodeContext c) { return fetch(tools, std::move(s), std::move(c)); });
  graph.add_node("triage", [model, tools](StateView s, NodeContext c) {
    return triage(model, tools, std::move(s), std::move(c));
  });
  graph.add_node("summarize", summarize);
  graph.add_edge(std::string(START), "fetch");
  graph.add_conditional_edges("fetch", fan_out, std::vector<std::string>{"triage", "summarize"});
  graph.add_edge("triage", "summarize");
  graph.add_edge("summarize", std::string(END));
  return graph.compile(std::move(options));
}

}  // namespace

GraphDefinition spam_triage_definition() {
  return detail::make_definition(
      "spam_triage",
      "Triage the most recent unread conversations: report and block spam, move technical ones to the engineering "
      "inbox, summarise.",
      kInputSchema, build);
}

}  // namespace weft::graphs
