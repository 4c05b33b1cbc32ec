// SPDX-License-Identifier: MIT
#include "nodes/model/scripted_chat_model.hpp"

#include "nodes/model/detail/wire.hpp"
#include "nodes/model/error.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <fstream>
#include <mutex>
#include <sstream>

namespace weft {

namespace json = boost::json;
namespace asio = boost::asio;

namespace {
struct ScriptEntry {
  ChatResponse response;
  std::string error;  // non-empty: the call fails with it
};
}  // namespace

struct ScriptedChatModel::State {
  using Entry = ScriptEntry;
  std::string name;
  ScriptOrder order = ScriptOrder::calls;
  std::vector<Entry> entries;
  mutable std::mutex mutex;
  std::size_t next = 0;
  std::vector<ChatRequest> requests;

  // Hands out the next entry (a plain function: it throws, see GCC 12 note in offline_model.cpp).
  ChatResponse take(const ChatRequest& request);
};

namespace {

[[noreturn]] void bad(std::size_t index, const std::string& why) {
  throw weft::Error(model::make_error_code(model::error::invalid_script),
                    "model script entry " + std::to_string(index) + ": " + why);
}

ScriptEntry parse_entry(std::size_t index, const json::value& v) {
  ScriptEntry entry;
  ChatResponse& r = entry.response;
  r.model = "scripted";
  if (v.is_string()) {
    r.message = assistant_message(v.get_string());
    r.finish_reason = "stop";
    return entry;
  }
  if (!v.is_object()) bad(index, "expected a string or an object");
  const auto& o = v.get_object();
  if (const auto* e = o.if_contains("error")) {
    entry.error = e->is_string() ? std::string(e->get_string()) : json::serialize(*e);
    return entry;
  }
  if (const auto* m = o.if_contains("message")) {
    if (!m->is_object()) bad(index, "\"message\" must be an object");
    r.message = m->get_object();
    r.message["role"] = "assistant";
    r.tool_calls = tool_calls_of(r.message);
    if (const auto* refusal = r.message.if_contains("refusal"); refusal != nullptr && refusal->is_string())
      r.refusal = std::string(refusal->get_string());
  } else {
    r.message["role"] = "assistant";
    const auto* content = o.if_contains("content");
    if (content != nullptr && !content->is_null() && !content->is_string())
      bad(index, "\"content\" must be a string or null");
    if (content != nullptr && content->is_string()) {
      r.message["content"] = *content;
    } else {
      r.message["content"] = nullptr;
    }
    if (const auto* calls = o.if_contains("tool_calls")) {
      if (!calls->is_array()) bad(index, "\"tool_calls\" must be an array");
      json::array out;
      std::size_t position = 0;
      for (const auto& c : calls->get_array()) {
        if (!c.is_object()) bad(index, "each tool call must be an object");
        const auto* name = c.get_object().if_contains("name");
        if (name == nullptr || !name->is_string() || name->get_string().empty())
          bad(index, "a tool call needs a \"name\"");
        ToolCall call;
        call.name = std::string(name->get_string());
        const auto* id = c.get_object().if_contains("id");
        call.id = id != nullptr && id->is_string() ? std::string(id->get_string())
                                                   : "call_" + std::to_string(index) + "_" + std::to_string(position);
        const auto* args = c.get_object().if_contains("arguments");
        call.arguments = args == nullptr     ? std::string("{}")
                         : args->is_string() ? std::string(args->get_string())
                                             : json::serialize(*args);
        out.push_back(model::detail::wire_tool_call(call));
        r.tool_calls.push_back(std::move(call));
        ++position;
      }
      if (!out.empty()) r.message["tool_calls"] = std::move(out);
    }
    if (!o.contains("content") && !o.contains("tool_calls"))
      bad(index, "needs \"content\", \"tool_calls\", \"message\" or \"error\"");
  }
  if (const auto* f = o.if_contains("finish_reason"); f != nullptr && f->is_string())
    r.finish_reason = std::string(f->get_string());
  if (r.finish_reason.empty()) r.finish_reason = r.tool_calls.empty() ? "stop" : "tool_calls";
  if (const auto* m = o.if_contains("model"); m != nullptr && m->is_string()) r.model = std::string(m->get_string());
  if (const auto* u = o.if_contains("usage"); u != nullptr && u->is_object()) {
    const auto& uo = u->get_object();
    if (const auto* p = uo.if_contains("prompt_tokens"); p != nullptr && p->is_int64())
      r.usage.prompt_tokens = p->get_int64();
    if (const auto* c = uo.if_contains("completion_tokens"); c != nullptr && c->is_int64())
      r.usage.completion_tokens = c->get_int64();
    r.usage.total_tokens = r.usage.prompt_tokens + r.usage.completion_tokens;
  }
  return entry;
}

}  // namespace

ScriptedChatModel::ScriptedChatModel(json::array script, std::string name, ScriptOrder order)
    : state_(std::make_shared<State>()) {
  state_->name = std::move(name);
  state_->order = order;
  for (std::size_t i = 0; i < script.size(); ++i) state_->entries.push_back(parse_entry(i, script[i]));
}

ScriptedChatModel ScriptedChatModel::from_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw weft::Error(model::make_error_code(model::error::invalid_script), "cannot read model script '" + path + "'");
  }
  std::ostringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  json::value v = json::parse(text.str(), ec);
  if (!ec && v.is_object()) {
    // {"order": "calls"|"turns", "replies": [...]}
    const json::object& o = v.get_object();
    const json::value* order = o.if_contains("order");
    const json::value* replies = o.if_contains("replies");
    ScriptOrder chosen = ScriptOrder::calls;
    if (order != nullptr && *order == "turns") {
      chosen = ScriptOrder::turns;
    } else if (order != nullptr && *order != "calls") {
      throw weft::Error(model::make_error_code(model::error::invalid_script),
                        "model script '" + path + "': \"order\" must be \"calls\" or \"turns\"");
    }
    if (replies == nullptr || !replies->is_array()) {
      throw weft::Error(model::make_error_code(model::error::invalid_script),
                        "model script '" + path + "': an object script needs a \"replies\" array");
    }
    return ScriptedChatModel(replies->get_array(), "scripted:" + path, chosen);
  }
  if (ec || !v.is_array()) {
    throw weft::Error(model::make_error_code(model::error::invalid_script),
                      "model script '" + path + "' is not a JSON array or {\"order\", \"replies\"}" +
                          (ec ? " (" + ec.message() + ")" : std::string()));
  }
  return ScriptedChatModel(std::move(v.get_array()), "scripted:" + path);
}

ChatResponse ScriptedChatModel::State::take(const ChatRequest& request) {
  ScriptEntry entry;
  std::size_t index = 0;
  {
    std::lock_guard lock(mutex);
    if (order == ScriptOrder::turns) {
      index = static_cast<std::size_t>(
          std::count_if(request.messages.begin(), request.messages.end(), [](const json::value& m) {
            const json::object* o = m.if_object();
            return o != nullptr && o->if_contains("role") != nullptr && o->at("role") == "assistant";
          }));
      if (index >= entries.size()) {
        throw weft::Error(model::make_error_code(model::error::script_exhausted),
                          name + ": no scripted reply for turn " + std::to_string(index) + " (the script has " +
                              std::to_string(entries.size()) + "); add entries to the script");
      }
      next = std::max(next, index + 1);
    } else {
      index = next;
      if (index >= entries.size()) {
        throw weft::Error(
            model::make_error_code(model::error::script_exhausted),
            name + ": all " + std::to_string(entries.size()) + " scripted replies are used; add entries to the script");
      }
      ++next;
    }
    entry = entries[index];
    requests.push_back(request);
  }
  if (!entry.error.empty()) {
    throw weft::Error(model::make_error_code(model::error::api_error),
                      name + ": scripted error (entry " + std::to_string(index) + "): " + entry.error);
  }
  ChatResponse response = std::move(entry.response);
  if (request.response_format) {
    boost::system::error_code ec;
    json::value parsed = json::parse(response.content(), ec);
    if (!ec) response.parsed = std::move(parsed);
  }
  response.raw = response.message;
  return response;
}

asio::awaitable<ChatResponse> ScriptedChatModel::complete(ChatRequest request) {
  ChatResponse response = state_->take(request);
  // ChatRequest::on_token's contract for a model that does not stream: the whole text, once.
  if (request.on_token && !response.content().empty()) request.on_token(response.content());
  co_return response;
}

std::string ScriptedChatModel::describe() const { return state_->name; }

std::vector<ChatRequest> ScriptedChatModel::requests() const {
  std::lock_guard lock(state_->mutex);
  return state_->requests;
}

std::size_t ScriptedChatModel::remaining() const {
  std::lock_guard lock(state_->mutex);
  return state_->entries.size() - state_->next;
}

}  // namespace weft
