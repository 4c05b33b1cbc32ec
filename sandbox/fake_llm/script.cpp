// SPDX-License-Identifier: MIT
#include "sandbox/fake_llm/script.hpp"

#include <boost/json/serialize.hpp>

#include <stdexcept>

namespace weft::sandbox::fake_llm {

namespace json = boost::json;

namespace {

[[noreturn]] void bad(std::size_t index, const std::string& why) {
  throw std::invalid_argument("fake LLM script entry " + std::to_string(index) + ": " + why);
}

const json::value* field(const json::object& o, std::string_view key) { return o.if_contains(key); }

std::string text_of(const json::value& v) { return v.is_string() ? std::string(v.get_string()) : json::serialize(v); }

Reply parse_reply(std::size_t index, const json::value& v) {
  Reply reply;
  if (v.is_string()) {
    reply.content = std::string(v.get_string());
    reply.finish_reason = "stop";
    return reply;
  }
  if (!v.is_object()) bad(index, "\"reply\" must be a string or an object");
  const auto& o = v.get_object();
  if (const auto* c = field(o, "content"); c != nullptr && !c->is_null()) {
    if (!c->is_string()) bad(index, "\"content\" must be a string or null");
    reply.content = std::string(c->get_string());
  }
  if (const auto* calls = field(o, "tool_calls")) {
    if (!calls->is_array()) bad(index, "\"tool_calls\" must be an array");
    std::size_t position = 0;
    for (const auto& call : calls->get_array()) {
      if (!call.is_object()) bad(index, "each tool call must be an object");
      const auto& co = call.get_object();
      const auto* name = field(co, "name");
      if (name == nullptr || !name->is_string()) bad(index, "a tool call needs a string \"name\"");
      ScriptedToolCall tc;
      tc.name = std::string(name->get_string());
      if (const auto* id = field(co, "id"); id != nullptr && id->is_string()) {
        tc.id = std::string(id->get_string());
      } else {
        tc.id = "call_" + std::to_string(index) + "_" + std::to_string(position);
      }
      const auto* args = field(co, "arguments");
      tc.arguments = args == nullptr ? "{}" : text_of(*args);
      reply.tool_calls.push_back(std::move(tc));
      ++position;
    }
  }
  if (const auto* r = field(o, "refusal"); r != nullptr && !r->is_null()) {
    if (!r->is_string()) bad(index, "\"refusal\" must be a string or null");
    reply.refusal = std::string(r->get_string());
  }
  if (const auto* f = field(o, "finish_reason"); f != nullptr && f->is_string())
    reply.finish_reason = std::string(f->get_string());
  if (reply.finish_reason.empty()) reply.finish_reason = reply.tool_calls.empty() ? "stop" : "tool_calls";
  if (const auto* u = field(o, "usage"); u != nullptr && u->is_object()) {
    if (const auto* p = u->get_object().if_contains("prompt_tokens"); p != nullptr && p->is_int64())
      reply.prompt_tokens = p->get_int64();
    if (const auto* c = u->get_object().if_contains("completion_tokens"); c != nullptr && c->is_int64())
      reply.completion_tokens = c->get_int64();
  }
  return reply;
}

Fault parse_fault(std::size_t index, const json::value& v) {
  if (!v.is_object()) bad(index, "\"fault\" must be an object");
  const auto& o = v.get_object();
  Fault fault;
  for (const auto& [key, value] : o) {
    if (key == "status") {
      if (!value.is_int64()) bad(index, "fault \"status\" must be an integer");
      fault.status = static_cast<int>(value.get_int64());
    } else if (key == "headers") {
      if (!value.is_object()) bad(index, "fault \"headers\" must be an object of strings");
      for (const auto& [name, hv] : value.get_object()) fault.headers.emplace_back(std::string(name), text_of(hv));
    } else if (key == "body") {
      fault.body = text_of(value);
    } else if (key == "delay_ms") {
      if (!value.is_int64()) bad(index, "fault \"delay_ms\" must be an integer");
      fault.delay = std::chrono::milliseconds(value.get_int64());
    } else if (key == "drop") {
      fault.drop = value.is_bool() && value.get_bool();
    } else if (key == "malformed") {
      fault.malformed = value.is_bool() && value.get_bool();
    } else if (key == "cut_stream_after") {
      if (!value.is_int64() || value.get_int64() < 0)
        bad(index, "fault \"cut_stream_after\" must be a non-negative integer");
      fault.cut_stream_after = static_cast<std::size_t>(value.get_int64());
    } else {
      bad(index, "unknown fault key \"" + std::string(key) + "\"");
    }
  }
  return fault;
}

Match parse_match(std::size_t index, const json::value& v) {
  if (!v.is_object()) bad(index, "\"match\" must be an object");
  Match m;
  for (const auto& [key, value] : v.get_object()) {
    if (key == "contains" && value.is_string()) {
      m.contains = std::string(value.get_string());
    } else if (key == "model" && value.is_string()) {
      m.model = std::string(value.get_string());
    } else if (key == "stream" && value.is_bool()) {
      m.stream = value.get_bool();
    } else if (key == "has_tools" && value.is_bool()) {
      m.has_tools = value.get_bool();
    } else if (key == "after_tool" && value.is_bool()) {
      m.after_tool = value.get_bool();
    } else {
      bad(index, "unknown or mistyped match key \"" + std::string(key) + "\"");
    }
  }
  return m;
}

std::string last_user_text(const json::object& request) {
  const auto* messages = request.if_contains("messages");
  if (messages == nullptr || !messages->is_array()) return {};
  const auto& list = messages->get_array();
  for (auto it = list.rbegin(); it != list.rend(); ++it) {
    if (!it->is_object()) continue;
    const auto* role = it->get_object().if_contains("role");
    if (role == nullptr || !role->is_string() || role->get_string() != "user") continue;
    const auto* content = it->get_object().if_contains("content");
    if (content == nullptr) return {};
    return text_of(*content);
  }
  return {};
}

bool matches(const Match& m, const json::object& request) {
  if (m.contains && last_user_text(request).find(*m.contains) == std::string::npos) return false;
  if (m.model) {
    const auto* model = request.if_contains("model");
    if (model == nullptr || !model->is_string() || model->get_string() != *m.model) return false;
  }
  if (m.stream) {
    const auto* s = request.if_contains("stream");
    const bool streaming = s != nullptr && s->is_bool() && s->get_bool();
    if (streaming != *m.stream) return false;
  }
  if (m.has_tools) {
    const auto* t = request.if_contains("tools");
    const bool has = t != nullptr && t->is_array() && !t->get_array().empty();
    if (has != *m.has_tools) return false;
  }
  if (m.after_tool) {
    bool after = false;
    const auto* messages = request.if_contains("messages");
    if (messages != nullptr && messages->is_array() && !messages->get_array().empty()) {
      const auto& last = messages->get_array().back();
      if (last.is_object()) {
        const auto* role = last.get_object().if_contains("role");
        after = role != nullptr && role->is_string() && role->get_string() == "tool";
      }
    }
    if (after != *m.after_tool) return false;
  }
  return true;
}

}  // namespace

std::vector<Entry> parse_script(const json::value& script) {
  if (!script.is_array()) throw std::invalid_argument("fake LLM script: expected a JSON array of entries");
  std::vector<Entry> entries;
  std::size_t index = 0;
  for (const auto& v : script.get_array()) {
    Entry entry;
    if (v.is_string()) {
      entry.reply = parse_reply(index, v);
    } else if (v.is_object()) {
      const auto& o = v.get_object();
      for (const auto& [key, value] : o) {
        if (key == "reply") {
          entry.reply = parse_reply(index, value);
        } else if (key == "fault") {
          entry.fault = parse_fault(index, value);
        } else if (key == "match") {
          entry.match = parse_match(index, value);
        } else if (key == "uses") {
          if (!value.is_int64() || value.get_int64() == 0 || value.get_int64() < -1)
            bad(index, "\"uses\" must be a positive integer or -1");
          entry.uses = static_cast<int>(value.get_int64());
        } else if (key == "content" || key == "refusal" || key == "tool_calls" || key == "finish_reason" ||
                   key == "usage") {
          // Shorthand: the entry itself is the reply.
        } else {
          bad(index, "unknown key \"" + std::string(key) + "\"");
        }
      }
      if (!entry.reply && !entry.fault) entry.reply = parse_reply(index, v);
    } else {
      bad(index, "an entry must be a string or an object");
    }
    entries.push_back(std::move(entry));
    ++index;
  }
  return entries;
}

Script::Script(std::vector<Entry> entries) { replace(std::move(entries)); }

void Script::replace(std::vector<Entry> entries) {
  std::lock_guard lock(mutex_);
  entries_ = std::move(entries);
  left_.clear();
  for (const auto& e : entries_) left_.push_back(e.uses);
}

std::optional<Entry> Script::take(const json::object& request, std::size_t* index) {
  std::lock_guard lock(mutex_);
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    if (left_[i] == 0 || !matches(entries_[i].match, request)) continue;
    if (left_[i] > 0) --left_[i];
    if (index != nullptr) *index = i;
    return entries_[i];
  }
  return std::nullopt;
}

std::size_t Script::remaining() const {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (int l : left_) n += l != 0 ? 1 : 0;
  return n;
}

}  // namespace weft::sandbox::fake_llm
