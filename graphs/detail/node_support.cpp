// SPDX-License-Identifier: MIT
#include "graphs/detail/node_support.hpp"

#include "engine/state_view.hpp"
#include "graphs/error.hpp"
#include "nodes/tools/tool_node.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cctype>
#include <optional>

namespace json = boost::json;

namespace weft::graphs::detail {

std::string offline_model_note(std::string_view done, std::string_view kind) {
  return "\n" + std::string(done) + " by the offline " + std::string(kind) +
         " model, not an LLM (set OPENAI_API_KEY or OPENAI_BASE_URL to use one).";
}

boost::asio::awaitable<json::value> call_tool(ToolRegistry tools, std::string name, json::object args, NodeContext ctx,
                                              std::string call_id) {
  ToolCall call;
  call.id = std::move(call_id);
  call.name = name;
  call.arguments = json::serialize(args);
  std::vector<ToolCall> calls{std::move(call)};
  std::optional<NodeContext> node(ctx);
  json::array messages = co_await run_tool_calls(std::move(tools), std::move(calls), std::move(node));
  if (messages.empty() || !messages.front().is_object()) {
    throw Error(error::tool_failed, name + ": the tool layer returned no result");
  }
  const json::object& message = messages.front().as_object();
  std::string content = string_of(message, "content");
  const bool failed = string_of(message, "status") == "error";
  json::object event;
  event["event"] = "tool";
  event["tool"] = name;
  event["status"] = failed ? "failed" : "ok";
  // Names the conversation the call is about, so progress can say which one.
  if (const json::value* session = args.if_contains("session_id")) event["session_id"] = *session;
  ctx.emit(json::value(std::move(event)));
  if (failed) {
    if (content.rfind("Error: ", 0) == 0) content.erase(0, 7);
    throw Error(error::tool_failed, name + ": " + content);
  }
  boost::system::error_code ec;
  json::value parsed = json::parse(content, ec);
  if (ec) co_return json::value(content);
  co_return parsed;
}

namespace {

json::object answer_record(const ChatResponse& response, const ChatModel& model) {
  json::object record;
  record["json"] = response.parsed;
  record["text"] = response.content();
  record["model"] = response.model.empty() ? model.describe() : response.model;
  record["offline"] = model.is_offline();
  if (response.refusal) record["refusal"] = *response.refusal;
  if (const json::value* calls = response.message.if_contains("tool_calls");
      calls && calls->is_array() && !calls->as_array().empty()) {
    record["tool_calls"] = *calls;
  }
  return record;
}

ModelAnswer answer_from(const json::value& recorded) {
  ModelAnswer a;
  if (!recorded.is_object()) return a;
  const auto& o = recorded.as_object();
  if (auto* j = o.if_contains("json")) a.json = *j;
  a.text = string_of(o, "text");
  a.model = string_of(o, "model");
  a.offline = bool_of(o, "offline", false);
  a.refusal = string_of(o, "refusal");
  if (auto* calls = o.if_contains("tool_calls"); calls && calls->is_array()) a.tool_calls = calls->as_array();
  return a;
}

// Asks once and records the answer only if `check` accepts it: a rejected answer throws out of
// the effect, which abandons its journal entry, so the next attempt (a retry, `weft resume`
// after the cause is fixed) asks again instead of replaying the rejected answer forever.
boost::asio::awaitable<json::value> complete_checked(std::shared_ptr<ChatModel> model, ChatRequest request,
                                                     AnswerCheck check) {
  ChatResponse response = co_await model->complete(std::move(request));
  json::value record = answer_record(response, *model);
  ModelAnswer answer = answer_from(record);
  check(answer);
  co_return record;
}

// A model call has no effect outside this process: when a crash left it in doubt, it simply runs
// again (and its new answer is recorded).
boost::asio::awaitable<std::optional<json::value>> model_call_never_happened() { co_return std::nullopt; }

// What the journal entry is bound to: what the model was asked. Not the model name nor sampling
// options: resuming with another (fixed) model keeps the answers already accepted.
json::value asked(const ChatRequest& request) {
  json::object what;
  what["messages"] = request.messages;
  what["tools"] = request.tools;
  what["tool_choice"] = request.tool_choice;
  what["response_format"] = request.response_format ? json::value(*request.response_format) : json::value();
  what["metadata"] = request.metadata;
  return what;
}

// The model call under the task's journal key "model:<key>": run once, recorded when accepted,
// and replayed on a re-run of the task that asks the same; a re-run that asks something else
// (its inputs changed) asks again. Text for people streams its tokens as they arrive.
boost::asio::awaitable<ModelAnswer> journaled_answer(std::shared_ptr<ChatModel> model, ChatRequest request,
                                                     NodeContext ctx, std::string key, AnswerCheck check,
                                                     Readers readers) {
  EffectRequest bound;
  bound.what = asked(request);
  bound.rerun_on_change = true;
  if (readers == Readers::people && ctx.streams(StreamMode::messages)) {
    request.on_token = [ctx](std::string_view token) { ctx.emit_token(token); };
  }
  EffectFn fn = [model, request, check]() { return complete_checked(model, request, check); };
  ReconcileFn reconcile = model_call_never_happened;
  auto pending = ctx.effect_erased("model:" + key, std::move(fn), std::move(reconcile), std::move(bound));
  json::value recorded = co_await std::move(pending);
  ModelAnswer answer = answer_from(recorded);
  check(answer);  // normalizes a replayed answer as it did the fresh one
  co_return answer;
}

// A refusal is an answer the graph cannot act on; say so in the model's own words.
void check_not_refused(const ModelAnswer& answer, const std::string& key) {
  if (!answer.refusal.empty())
    throw Error(error::model_refused,
                "the model refused ('" + key + "', model " + answer.model + "): " + answer.refusal);
}

// JSON, also when a model wrapped it in prose or a fence (the outermost object is taken).
void require_json(ModelAnswer& answer, const std::string& key) {
  if (answer.json.is_null()) {
    auto open = answer.text.find('{');
    auto close = answer.text.rfind('}');
    if (open != std::string::npos && close != std::string::npos && close > open) {
      boost::system::error_code ec;
      json::value v = json::parse(std::string_view(answer.text).substr(open, close - open + 1), ec);
      if (!ec) answer.json = std::move(v);
    }
  }
  if (answer.json.is_null()) {
    throw Error(error::bad_model_output, "model " + answer.model + " did not answer with JSON for '" + key + "'");
  }
}

}  // namespace

boost::asio::awaitable<ModelAnswer> ask_json(std::shared_ptr<ChatModel> model, ChatRequest request, NodeContext ctx,
                                             std::string key, AnswerCheck accept, Readers readers) {
  AnswerCheck check = [key, accept](ModelAnswer& answer) {
    check_not_refused(answer, key);
    require_json(answer, key);
    if (accept) accept(answer);
  };
  auto pending = journaled_answer(std::move(model), std::move(request), std::move(ctx), key, std::move(check), readers);
  ModelAnswer answer = co_await std::move(pending);
  co_return answer;
}

boost::asio::awaitable<ModelAnswer> ask_text(std::shared_ptr<ChatModel> model, ChatRequest request, NodeContext ctx,
                                             std::string key, AnswerCheck accept, Readers readers) {
  AnswerCheck check = [key, accept](ModelAnswer& answer) {
    check_not_refused(answer, key);
    if (answer.text.empty()) {
      throw Error(error::bad_model_output, "model " + answer.model + " gave an empty answer for '" + key + "'");
    }
    if (accept) accept(answer);
  };
  auto pending = journaled_answer(std::move(model), std::move(request), std::move(ctx), key, std::move(check), readers);
  ModelAnswer answer = co_await std::move(pending);
  co_return answer;
}

std::string string_of(const json::object& o, std::string_view key, std::string fallback) {
  auto* v = o.if_contains(key);
  if (!v || !v->is_string()) return fallback;
  return std::string(v->as_string());
}

std::int64_t int_of(const json::object& o, std::string_view key, std::int64_t fallback) {
  auto* v = o.if_contains(key);
  if (!v) return fallback;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->as_uint64());
  if (v->is_double()) return static_cast<std::int64_t>(v->as_double());
  return fallback;
}

bool bool_of(const json::object& o, std::string_view key, bool fallback) {
  auto* v = o.if_contains(key);
  if (!v || !v->is_bool()) return fallback;
  return v->as_bool();
}

json::object object_or_empty(const json::value& v) { return v.is_object() ? v.as_object() : json::object(); }

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

json::object input_of(const StateView& state) {
  const json::value* v = state.find("input");
  if (!v || !v->is_object()) return {};
  return v->as_object();
}

}  // namespace weft::graphs::detail
