// SPDX-License-Identifier: MIT
// Messages: list (40 per batch, oldest first, timestamp_before / _after / _around), send (with
// the sandbox fingerprint policy), get, update and remove one. crisp-api.md §2.4, §2.5, §3.2.

#include <algorithm>

#include "sandbox/crisp/detail/api.hpp"
#include "sandbox/crisp/detail/ids.hpp"
#include "sandbox/crisp/detail/route_helpers.hpp"

namespace weft::sandbox::crisp::detail {
namespace json = boost::json;

namespace {

constexpr std::size_t kBatch = 40;

// The send body: common fields, then the content shape per type (AJV anyOf over types, so a
// mismatch reads "... should match some schema in anyOf" as Crisp answers).
const Schema& send_schema() {
  static const Schema s(R"({
    "type":"object",
    "required":["type","from","origin","content"],
    "properties":{
      "type":{"type":"string","enum":["text","note","file","animation","audio","picker","field","carousel","event"]},
      "from":{"type":"string","enum":["user","operator"]},
      "origin":{"type":"string","pattern":"^(chat|email|urn:[a-z0-9:._-]+)$"},
      "fingerprint":{"type":"integer","minimum":0},
      "timestamp":{"type":"integer","minimum":0},
      "stealth":{"type":"boolean"},
      "automated":{"type":"boolean"},
      "translated":{"type":"boolean"},
      "mentions":{"type":"array","items":{"type":"string","format":"uuid"}},
      "user":{"type":"object","properties":{"type":{"type":"string"},"user_id":{"type":"string"},"nickname":{"type":"string"},"avatar":{"type":"string"}}},
      "references":{"type":"array","items":{"type":"object","required":["type","name","target"]}},
      "properties":{"type":"object"}
    },
    "anyOf":[
      {"properties":{"type":{"enum":["text","note"]},"content":{"type":"string","minLength":1,"maxLength":10000}}},
      {"properties":{"type":{"enum":["file"]},"content":{"type":"object","required":["name","url","type"],
        "properties":{"name":{"type":"string"},"url":{"type":"string","format":"uri"},"type":{"type":"string"}}}}},
      {"properties":{"type":{"enum":["animation"]},"content":{"type":"object","required":["url","type"],
        "properties":{"url":{"type":"string","format":"uri"},"type":{"type":"string"}}}}},
      {"properties":{"type":{"enum":["audio"]},"content":{"type":"object","required":["url","type","duration"],
        "properties":{"url":{"type":"string","format":"uri"},"type":{"type":"string"},"duration":{"type":"number"}}}}},
      {"properties":{"type":{"enum":["picker"]},"content":{"type":"object","required":["id","text","choices"],
        "properties":{"id":{"type":"string"},"text":{"type":"string"},"choices":{"type":"array"}}}}},
      {"properties":{"type":{"enum":["field"]},"content":{"type":"object","required":["id","text","explain"],
        "properties":{"id":{"type":"string"},"text":{"type":"string"},"explain":{"type":"string"}}}}},
      {"properties":{"type":{"enum":["carousel"]},"content":{"type":"object","required":["text","targets"],
        "properties":{"text":{"type":"string"},"targets":{"type":"array"}}}}},
      {"properties":{"type":{"enum":["event"]},"content":{"type":"object","required":["namespace"],
        "properties":{"namespace":{"type":"string"},"text":{"type":"string"}}}}}
    ]
  })");
  return s;
}

std::optional<std::int64_t> int_query(Ctx& ctx, std::string_view name) {
  const auto v = ctx.query(name);
  if (!v) return std::nullopt;
  const auto n = parse_int(*v);
  if (!n) throw_invalid("data." + std::string(name) + " should be integer");
  return n;
}

Reply list_messages(Ctx& ctx) {
  const auto& msgs = ctx.messages();
  const auto before = int_query(ctx, "timestamp_before");
  const auto after = int_query(ctx, "timestamp_after");
  const auto around = int_query(ctx, "timestamp_around");
  std::size_t begin = 0, end = msgs.size();
  auto ts = [&](std::size_t i) { return msgs[i].at("timestamp").to_number<std::int64_t>(); };
  auto first_at_or_after = [&](std::int64_t t) {
    std::size_t i = 0;
    while (i < msgs.size() && ts(i) < t) ++i;
    return i;
  };
  if (before) {
    // Strictly before, the newest 40 of those, oldest first.
    end = first_at_or_after(*before);
    begin = end > kBatch ? end - kBatch : 0;
  } else if (after) {
    // Strictly after, the oldest 40 of those (sandbox choice).
    begin = first_at_or_after(*after + 1);
    end = std::min(msgs.size(), begin + kBatch);
  } else if (around) {
    // 20 before and 20 from the instant (sandbox choice).
    const std::size_t mid = first_at_or_after(*around);
    begin = mid > kBatch / 2 ? mid - kBatch / 2 : 0;
    end = std::min(msgs.size(), begin + kBatch);
  } else {
    begin = msgs.size() > kBatch ? msgs.size() - kBatch : 0;
  }
  json::array out;
  for (std::size_t i = begin; i < end; ++i) out.push_back(msgs[i]);
  Reply r;
  r.data = std::move(out);
  return r;
}

std::optional<std::int64_t> as_int64(const json::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64()) {
    if (v.get_uint64() > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<std::int64_t>(v.get_uint64());
  }
  if (v.is_double()) return static_cast<std::int64_t>(v.get_double());
  return std::nullopt;
}

Reply send_message(Ctx& ctx) {
  auto& conv = ctx.conversation();
  const auto& body = ctx.body_checked(send_schema());
  const std::string sid(ctx.param("session_id"));
  auto& msgs = ctx.messages();
  Reply r;
  r.reason = "dispatched";
  std::int64_t fingerprint = 0;
  if (const auto* f = body.if_contains("fingerprint")) {
    const auto given = as_int64(*f);
    if (!given) throw_invalid("data.fingerprint should be <= 9223372036854775807");
    fingerprint = *given;
    // Sandbox policy: a fingerprint already present in this conversation is a replay; answer with
    // it and add nothing (the effect log marks the request "replayed").
    for (const auto& m : msgs) {
      if (m.at("fingerprint").to_number<std::int64_t>() == fingerprint) {
        json::object data;
        data["fingerprint"] = fingerprint;
        r.data = std::move(data);
        r.fingerprint = fingerprint;
        r.replayed = true;
        return r;
      }
    }
  } else {
    bool unique = false;
    while (!unique) {
      fingerprint = ctx.store.new_fingerprint();
      unique = std::none_of(msgs.begin(), msgs.end(), [&](const json::value& m) {
        return m.at("fingerprint").to_number<std::int64_t>() == fingerprint;
      });
    }
  }
  (void)conv;
  std::int64_t timestamp = ctx.now;
  if (const auto* t = body.if_contains("timestamp")) {
    timestamp = as_int64(*t).value_or(ctx.now);
  } else if (!msgs.empty()) {
    // Sandbox: server-stamped messages get strictly increasing timestamps within a conversation,
    // so paging with timestamp_before never skips two messages sent in the same millisecond.
    timestamp = std::max(timestamp, msgs.back().at("timestamp").to_number<std::int64_t>() + 1);
  }
  json::object m;
  m["session_id"] = sid;
  m["website_id"] = ctx.website_id;
  m["type"] = body.at("type");
  m["from"] = body.at("from");
  m["origin"] = body.at("origin");
  m["content"] = body.at("content");
  m["fingerprint"] = fingerprint;
  m["timestamp"] = timestamp;
  if (const auto* u = body.if_contains("user")) {
    m["user"] = *u;
  } else {
    m["user"] = json::object();
  }
  m["read"] = "";
  m["delivered"] = "";
  m["mentions"] = body.contains("mentions") ? body.at("mentions") : json::value(json::array());
  m["preview"] = json::array();
  m["stamped"] = true;
  m["edited"] = false;
  m["translated"] = body.contains("translated") ? body.at("translated") : json::value(false);
  m["automated"] = body.contains("automated") ? body.at("automated") : json::value(false);
  if (const auto* s = body.if_contains("stealth")) m["stealth"] = *s;
  if (const auto* refs = body.if_contains("references")) m["references"] = *refs;
  if (const auto* props = body.if_contains("properties")) m["properties"] = *props;
  append_message(ctx, sid, std::move(m));
  json::object data;
  data["fingerprint"] = fingerprint;
  r.data = std::move(data);
  r.fingerprint = fingerprint;
  return r;
}

Reply get_message(Ctx& ctx) {
  const auto& msgs = ctx.messages();
  const auto fp = parse_int(ctx.param("fingerprint"));
  if (!fp) throw_invalid("data.fingerprint should be integer");
  for (const auto& m : msgs) {
    if (m.at("fingerprint").to_number<std::int64_t>() == *fp) {
      Reply r;
      r.data = m;
      return r;
    }
  }
  throw_not_found("message not found");
}

json::array::iterator find_message(Ctx& ctx) {
  auto& msgs = ctx.messages();
  const auto fp = parse_int(ctx.param("fingerprint"));
  if (!fp) throw_invalid("data.fingerprint should be integer");
  for (auto it = msgs.begin(); it != msgs.end(); ++it) {
    if (it->at("fingerprint").to_number<std::int64_t>() == *fp) return it;
  }
  throw_not_found("message not found");
}

// PATCH {content}: the new content must fit the message's type (sandbox: text/note need a string).
Reply update_message(Ctx& ctx) {
  static const Schema schema(
      R"({"type":"object","required":["content"],"properties":{"content":{"type":["string","object"]}}})");
  auto it = find_message(ctx);
  const auto& body = ctx.body_checked(schema);
  auto& m = it->as_object();
  const auto type = m.at("type").as_string();
  if ((type == "text" || type == "note") && !body.at("content").is_string())
    throw_invalid("data.content should be string");
  if (type != "text" && type != "note" && !body.at("content").is_object())
    throw_invalid("data.content should be object");
  m["content"] = body.at("content");
  m["edited"] = true;
  Reply r;
  r.fingerprint = m.at("fingerprint").to_number<std::int64_t>();
  return r;
}

Reply remove_message(Ctx& ctx) {
  auto it = find_message(ctx);
  Reply r;
  r.fingerprint = it->at("fingerprint").to_number<std::int64_t>();
  ctx.messages().erase(it);
  return r;
}

}  // namespace

int status_of_state(std::string_view state) { return state == "pending" ? 0 : state == "unresolved" ? 1 : 2; }

void append_message(Ctx& ctx, const std::string& sid, json::object message) {
  auto& conv = ctx.site.at("conversations").as_object().at(sid).as_object();
  auto& msgs = ctx.site.at("messages").as_object()[sid];
  if (!msgs.is_array()) msgs = json::array();
  auto& arr = msgs.as_array();
  const auto ts = message.at("timestamp").to_number<std::int64_t>();
  auto pos = arr.end();
  while (pos != arr.begin() && (pos - 1)->at("timestamp").to_number<std::int64_t>() > ts) --pos;
  const std::string from(message.at("from").as_string());
  const std::string type(message.at("type").as_string());
  json::object preview;
  preview["type"] = type;
  preview["from"] = from;
  const auto& content = message.at("content");
  std::string excerpt = content.is_string() ? std::string(content.get_string()) : std::string("[") + type + "]";
  if (excerpt.size() > 120) excerpt = excerpt.substr(0, 117) + "...";
  preview["excerpt"] = excerpt;
  preview["fingerprint"] = message.at("fingerprint");
  const bool is_last = pos == arr.end();
  // Crisp's hooks: message:send for what the visitor sent, message:received for an operator's.
  if (type != "note") ctx.hook_events.emplace_back(from == "user" ? "message:send" : "message:received", message);
  arr.insert(pos, std::move(message));
  if (type == "note") return;  // private notes do not move the conversation
  if (is_last) {
    conv["last_message"] = excerpt;
    conv["preview_message"] = std::move(preview);
  }
  conv["updated_at"] = std::max(conv.at("updated_at").to_number<std::int64_t>(), ts);
  auto& unread = conv["unread"].as_object();
  if (from == "user") {
    unread["operator"] = unread.at("operator").to_number<std::int64_t>() + 1;
    if (conv.at("waiting_since").to_number<std::int64_t>() == 0) conv["waiting_since"] = ts;
    // Sandbox behaviour: a visitor writing into a resolved conversation reopens it.
    if (conv.at("state") == "resolved") {
      conv["state"] = "unresolved";
      conv["status"] = status_of_state("unresolved");
    }
  } else {
    unread["visitor"] = unread.at("visitor").to_number<std::int64_t>() + 1;
    conv["waiting_since"] = 0;
    if (conv.at("state") == "pending") {
      conv["state"] = "unresolved";
      conv["status"] = status_of_state("unresolved");
    }
  }
}

void add_message_routes(Api& api) {
  api.add("GET", "/conversation/{session_id}/messages", Family::general, list_messages);
  api.add("POST", "/conversation/{session_id}/message", Family::general, send_message);
  api.add("GET", "/conversation/{session_id}/message/{fingerprint}", Family::general, get_message);
  api.add("PATCH", "/conversation/{session_id}/message/{fingerprint}", Family::general, update_message);
  api.add("DELETE", "/conversation/{session_id}/message/{fingerprint}", Family::general, remove_message);
}

}  // namespace weft::sandbox::crisp::detail
