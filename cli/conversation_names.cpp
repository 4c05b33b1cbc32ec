// SPDX-License-Identifier: MIT
#include "cli/conversation_names.hpp"

#include "cli/progress.hpp"

#include <algorithm>

namespace json = boost::json;

namespace weft::cli {

namespace {

constexpr int kMaxDepth = 3;          // results[i].conversation.session_id is as deep as it goes
constexpr std::size_t kMaxNamed = 3;  // a line names at most this many conversations

std::string string_at(const json::object& o, std::initializer_list<const char*> keys) {
  for (const char* key : keys) {
    if (auto* v = o.if_contains(key); v && v->is_string() && !v->as_string().empty())
      return std::string(v->as_string());
  }
  return {};
}

template <class F>
void each_session(const json::value& data, int depth, F&& fn) {
  if (depth > kMaxDepth) return;
  if (const json::object* o = data.if_object()) {
    if (auto* s = o->if_contains("session_id"); s && s->is_string()) {
      fn(std::string(s->as_string()), *o);
      return;  // the conversation itself; its members are its messages
    }
    for (const auto& [key, value] : *o) each_session(value, depth + 1, fn);
  } else if (const json::array* a = data.if_array()) {
    for (const auto& value : *a) each_session(value, depth + 1, fn);
  }
}

}  // namespace

void ConversationNames::learn(const json::value& data) {
  each_session(data, 0, [this](const std::string& session, const json::object& o) {
    Name& name = names_[session];
    if (std::string nick = string_at(o, {"nickname", "visitor", "email"}); !nick.empty())
      name.nickname = std::move(nick);
    if (std::string subject = string_at(o, {"subject", "segment", "title"}); !subject.empty())
      name.subject = std::move(subject);
  });
}

std::string ConversationNames::label(const std::string& session_id) const {
  std::string out = session_id;
  auto it = names_.find(session_id);
  if (it == names_.end()) return out;
  std::string detail = truncate(it->second.nickname, 40);
  if (!it->second.subject.empty()) {
    detail += (detail.empty() ? "\"" : ", \"") + truncate(it->second.subject, 60) + "\"";
  }
  if (!detail.empty()) out += " (" + detail + ")";
  return out;
}

std::vector<std::string> ConversationNames::about(const json::value& data) const {
  std::vector<std::string> sessions;
  each_session(data, 0, [&sessions](const std::string& session, const json::object&) {
    if (std::find(sessions.begin(), sessions.end(), session) == sessions.end()) sessions.push_back(session);
  });
  // A list (a fetch of twenty) is counted, not named: the lines about each one name it.
  if (sessions.size() > kMaxNamed) return {std::to_string(sessions.size()) + " sessions"};
  std::vector<std::string> labels;
  for (const auto& session : sessions) labels.push_back(label(session));
  return labels;
}

}  // namespace weft::cli
