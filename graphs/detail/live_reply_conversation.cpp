// SPDX-License-Identifier: MIT
// live_reply's view of a conversation (live_reply_conversation.hpp).

#include "graphs/detail/live_reply_conversation.hpp"

#include "graphs/detail/node_support.hpp"
#include "graphs/error.hpp"

#include <boost/json/serialize.hpp>

namespace json = boost::json;

namespace weft::graphs::detail::live_reply {

std::optional<std::int64_t> fingerprint_of(const json::object& message) {
  const json::value* fp = message.if_contains("fingerprint");
  if (fp == nullptr) return std::nullopt;
  if (fp->is_int64()) return fp->as_int64();
  if (fp->is_uint64()) return static_cast<std::int64_t>(fp->as_uint64());
  return std::nullopt;
}

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

}  // namespace weft::graphs::detail::live_reply
