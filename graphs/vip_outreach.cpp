// SPDX-License-Identifier: MIT
// vip_outreach: greet valuable visitors proactively. Observe the active visitors twice with a
// durable timer in between, select company visitors who stayed on pricing pages, then for each
// one: draft a greeting, ask a human (optional), open a conversation and send the greeting once.
//
//   START -> observe_first -> wait -> observe_again -> select --(candidates)--> outreach (loop) -> summarize -> END
//                                                           \--(none)-------------------------^

#include "graphs/vip_outreach.hpp"

#include "engine/special_nodes.hpp"
#include "graphs/detail/definition.hpp"
#include "graphs/detail/model_options.hpp"
#include "graphs/detail/node_support.hpp"
#include "graphs/error.hpp"
#include "graphs/human_decision.hpp"
#include "graphs/untrusted.hpp"
#include "graphs/vip_selection.hpp"

#include <boost/json/parse.hpp>

#include <chrono>
#include <optional>
#include <stdexcept>

namespace json = boost::json;

namespace weft::graphs {
namespace {

using detail::bool_of;
using detail::call_tool;
using detail::input_of;
using detail::int_of;
using detail::offline_model_note;
using detail::string_of;

constexpr const char* kInputSchema = R"({
  "type": "object",
  "properties": {
    "enterprise_domains": {"type": "array", "items": {"type": "string", "minLength": 1},
        "description": "Only visitors with an email at these domains (or subdomains); default: any company domain."},
    "free_mail_domains": {"type": "array", "items": {"type": "string", "minLength": 1},
        "description": "Email domains never treated as a company; default: common free-mail providers."},
    "pricing_paths": {"type": "array", "items": {"type": "string", "minLength": 1}, "default": ["/pricing"],
        "description": "A page whose URL path contains one of these counts as a pricing page."},
    "min_seconds_on_pricing": {"type": "integer", "minimum": 0, "maximum": 86400, "default": 60,
        "description": "How long a visitor must stay on pricing pages; also the wait between the two observations."},
    "require_approval": {"type": "boolean", "default": true,
        "description": "Pause before each greeting for a human to approve, edit or skip it."},
    "max_greetings": {"type": "integer", "minimum": 1, "maximum": 50, "default": 5,
        "description": "At most this many visitors are greeted in one run."},
    "locale": {"type": "string", "default": "en", "description": "Language of the greetings."}
  },
  "additionalProperties": false
})";

// Reads, and the writes outreach needs. Reports, blocks, inbox moves and helpdesk writes are
// unreachable from this graph.
const std::vector<std::string> kAllowedTools = {"list_all_crisp_visitors_lists", "create_a_crisp_conversation",
                                                "update_a_crisp_conversation_meta_by_id", "create_a_crisp_message"};

constexpr int kMaxDecisionAttempts = 5;

boost::asio::awaitable<json::object> observe(ToolRegistry tools, StateView, NodeContext ctx) {
  json::array visitors;
  for (std::int64_t page = 1; page <= 20; ++page) {
    json::object args;
    args["page_number"] = page;
    auto pending =
        call_tool(tools, "list_all_crisp_visitors_lists", std::move(args), ctx, "visitors:" + std::to_string(page));
    json::value items = co_await std::move(pending);
    if (!items.is_array() || items.as_array().empty()) break;
    for (auto& v : items.as_array()) visitors.push_back(v);
  }
  json::object observation;
  observation["at_ms"] = ctx.clock().now_ms();
  observation["visitors"] = std::move(visitors);
  json::object update;
  update["observations"] = json::array{json::value(std::move(observation))};
  co_return update;
}

// The durable timer (NodeContext::sleep_durably): the deadline is journaled on first entry, so a
// process restarted during the wait sleeps only for what is left, and the engine streams a timer
// event a front end shows as a countdown.
boost::asio::awaitable<json::object> wait(StateView state, NodeContext ctx) {
  const std::int64_t delay_ms = int_of(input_of(state), "min_seconds_on_pricing", 60) * 1000;
  // Bound to the observation it spaces out: a re-run that observed anew (its first run died
  // before a durable checkpoint) takes a new deadline instead of replaying a passed one.
  std::int64_t observed_at_ms = 0;
  if (const json::value* obs = state.find("observations"); obs && obs->is_array() && !obs->as_array().empty()) {
    if (const json::object* last = obs->as_array().back().if_object()) observed_at_ms = int_of(*last, "at_ms", 0);
  }
  json::value after = json::object{{"after_observation_at_ms", observed_at_ms}};
  auto sleeping = ctx.sleep_durably("observation-deadline", std::chrono::milliseconds(delay_ms), std::move(after));
  const std::int64_t deadline = co_await std::move(sleeping);
  json::object update;
  update["waited_until_ms"] = deadline;
  co_return update;
}

json::object select(StateView state, NodeContext) {
  json::object input = input_of(state);
  VipCriteria criteria = parse_vip_criteria(input);
  std::vector<VisitorObservation> observations;
  if (const json::value* obs = state.find("observations"); obs && obs->is_array()) {
    for (const auto& o : obs->as_array()) {
      if (!o.is_object()) continue;
      VisitorObservation v;
      v.at_ms = int_of(o.as_object(), "at_ms", 0);
      if (auto* list = o.as_object().if_contains("visitors"); list && list->is_array()) v.visitors = list->as_array();
      observations.push_back(std::move(v));
    }
  }
  auto selected = select_vip_visitors(observations, criteria);
  const auto max = static_cast<std::size_t>(int_of(input, "max_greetings", 5));
  json::array candidates;
  for (std::size_t i = 0; i < selected.size() && i < max; ++i) candidates.push_back(selected[i].to_json());
  json::object update;
  update["candidates"] = std::move(candidates);
  update["matched"] = static_cast<std::int64_t>(selected.size());
  update["next_candidate"] = 0;
  return update;
}

Route after_select(StateView state) {
  const json::value* c = state.find("candidates");
  std::int64_t next = state.get_int("next_candidate", 0);
  if (c && c->is_array() && next < static_cast<std::int64_t>(c->as_array().size())) return Route("outreach");
  return Route("summarize");
}

boost::asio::awaitable<json::object> outreach(std::shared_ptr<ChatModel> model, ToolRegistry tools, StateView state,
                                              NodeContext ctx) {
  json::object input = input_of(state);
  const std::int64_t index = state.get_int("next_candidate", 0);
  json::object visitor = state.at("candidates").as_array().at(static_cast<std::size_t>(index)).as_object();
  const std::string visitor_session = string_of(visitor, "session_id");
  const std::string locale = string_of(input, "locale", "en");

  json::object about;
  about["name"] = visitor["nickname"];
  about["company"] = visitor["company"];
  about["page_title"] = visitor["page_title"];
  about["page_url"] = visitor["page_url"];
  ChatRequest request;
  request.messages.push_back(system_message(
      "You write a proactive live-chat greeting from a sales representative to a website visitor who has been "
      "reading the pricing pages. Two short sentences at most, friendly and specific: greet them by first name if "
      "known, mention their company and the page, offer help choosing a plan. No links, no discounts, no promises. "
      "Write in the language of locale '" +
      locale + "'. Answer with the greeting text only. " + std::string(untrusted_data_rule())));
  request.messages.push_back(user_message(quote_untrusted("visitor", json::value(about))));
  request.metadata["task"] = "greeting";
  request.metadata["name"] = visitor["nickname"];
  request.metadata["company"] = visitor["company"];
  request.metadata["page"] = visitor["page_title"];
  request.metadata["locale"] = locale;
  auto pending_greeting = detail::ask_text(model, std::move(request), ctx, "greeting", {}, detail::Readers::people);
  detail::ModelAnswer greeting = co_await std::move(pending_greeting);
  std::string text = greeting.text;

  json::object outcome = visitor;
  outcome["model"] = greeting.model;
  outcome["offline"] = greeting.offline;
  std::string action = "approve";
  if (bool_of(input, "require_approval", true)) {
    json::object subject = visitor;
    subject["greeting"] = text;
    std::string problem;
    for (int attempt = 0; attempt < kMaxDecisionAttempts; ++attempt) {
      json::object ask = decision_request("Send this greeting?", subject, "skip");
      if (!problem.empty()) ask["previous_answer_problem"] = problem;
      json::value answer = ctx.interrupt(json::value(std::move(ask)));
      try {
        HumanDecision d = parse_human_decision(answer, "skip");
        action = d.action == HumanDecision::Action::approve ? "approve"
                 : d.action == HumanDecision::Action::edit  ? "edit"
                                                            : "skip";
        if (d.action == HumanDecision::Action::edit) text = d.text;
        problem.clear();
        break;
      } catch (const std::invalid_argument& e) {
        problem = e.what();
      }
    }
    if (!problem.empty()) throw Error(error::invalid_decision, "approval of " + visitor_session + ": " + problem);
  }
  outcome["decision"] = action;
  outcome["greeting"] = text;

  if (action != "skip") {
    auto pending_create = call_tool(tools, "create_a_crisp_conversation", json::object(), ctx, "create");
    json::value created = co_await std::move(pending_create);
    std::string session_id = created.is_object() ? string_of(created.as_object(), "session_id") : std::string();
    if (session_id.empty()) throw Error(error::tool_failed, "create_a_crisp_conversation returned no session_id");

    json::object meta;
    meta["session_id"] = session_id;
    if (!string_of(visitor, "email").empty()) meta["email"] = visitor["email"];
    if (!string_of(visitor, "nickname").empty()) meta["nickname"] = visitor["nickname"];
    auto pending_meta = call_tool(tools, "update_a_crisp_conversation_meta_by_id", std::move(meta), ctx, "meta");
    co_await std::move(pending_meta);

    json::object message;
    message["session_id"] = session_id;
    message["type"] = "text";
    message["from"] = "operator";
    message["origin"] = "chat";
    message["content"] = text;
    auto pending_send = call_tool(tools, "create_a_crisp_message", std::move(message), ctx, "send");
    json::value sent = co_await std::move(pending_send);
    outcome["conversation_session_id"] = session_id;
    if (sent.is_object()) {
      if (auto* fp = sent.as_object().if_contains("fingerprint")) outcome["fingerprint"] = *fp;
    }
  }
  json::object update;
  update["outcomes"] = json::array{json::value(std::move(outcome))};
  update["next_candidate"] = index + 1;
  co_return update;
}

json::object summarize(StateView state, NodeContext) {
  json::object input = input_of(state);
  std::int64_t observed = 0;
  if (const json::value* obs = state.find("observations"); obs && obs->is_array() && !obs->as_array().empty()) {
    const json::value& last = obs->as_array().back();
    if (auto* v = last.as_object().if_contains("visitors"); v && v->is_array())
      observed = static_cast<std::int64_t>(v->as_array().size());
  }
  std::int64_t greeted = 0, skipped = 0;
  bool offline = false;
  std::string lines;
  if (const json::value* outcomes = state.find("outcomes"); outcomes && outcomes->is_array()) {
    for (const auto& o : outcomes->as_array()) {
      const json::object& r = o.as_object();
      offline = offline || bool_of(r, "offline", false);
      std::string who = string_of(r, "nickname") + " <" + string_of(r, "email") + "> at " + string_of(r, "company");
      if (string_of(r, "decision") == "skip") {
        ++skipped;
        lines += "\n  skipped " + who;
      } else {
        ++greeted;
        lines += "\n  greeted " + who + " in " + string_of(r, "conversation_session_id") +
                 (string_of(r, "decision") == "edit" ? " (edited)" : "") + ": \"" + string_of(r, "greeting") + "\"";
      }
    }
  }
  std::string summary = "Observed " + std::to_string(observed) + " active visitors twice, " +
                        std::to_string(int_of(input, "min_seconds_on_pricing", 60)) + " s apart; " +
                        std::to_string(state.get_int("matched", 0)) +
                        " matched (company email, stayed on pricing pages); greeted " + std::to_string(greeted) +
                        ", skipped " + std::to_string(skipped) + "." + lines;
  if (offline) summary += offline_model_note("Greetings drafted", "template");
  json::object update;
  update["summary"] = summary;
  return update;
}

CompiledGraph build(const GraphServices& services, CompileOptions options) {
  ToolRegistry tools = services.crisp_tools.allow(kAllowedTools);
  std::shared_ptr<ChatModel> model = detail::with_model_options(services.model, services.model_options);
  StateGraph graph({{"input", Channel::last_value()},
                    {"observations", Channel::append()},
                    {"waited_until_ms", Channel::last_value()},
                    {"candidates", Channel::last_value()},
                    {"matched", Channel::last_value()},
                    {"next_candidate", Channel::last_value()},
                    {"outcomes", Channel::append()},
                    {"summary", Channel::last_value()}},
                   "vip_outreach");
  auto observe_node = [tools](StateView s, NodeContext c) { return observe(tools, std::move(s), std::move(c)); };
  graph.add_node("observe_first", observe_node);
  graph.add_node("wait", wait);
  graph.add_node("observe_again", observe_node);
  graph.add_node("select", select);
  graph.add_node("outreach", [model, tools](StateView s, NodeContext c) {
    return outreach(model, tools, std::move(s), std::move(c));
  });
  graph.add_node("summarize", summarize);
  graph.add_edge(std::string(START), "observe_first");
  graph.add_edge("observe_first", "wait");
  graph.add_edge("wait", "observe_again");
  graph.add_edge("observe_again", "select");
  graph.add_conditional_edges("select", after_select, std::vector<std::string>{"outreach", "summarize"});
  graph.add_conditional_edges("outreach", after_select, std::vector<std::string>{"outreach", "summarize"});
  graph.add_edge("summarize", std::string(END));
  return graph.compile(std::move(options));
}

}  // namespace

GraphDefinition vip_outreach_definition() {
  return detail::make_definition(
      "vip_outreach",
      "Greet company visitors who stay on pricing pages: observe twice with a durable timer, select, optional human "
      "approval, open a conversation, send the greeting once.",
      kInputSchema, build);
}

}  // namespace weft::graphs
