// SPDX-License-Identifier: MIT
// Per-conversation properties: state, inbox, routing, meta, block, report, read marks.
// crisp-api.md §2.5 (read), §2.6, §2.7, §2.8, §2.10.

#include "sandbox/crisp/detail/api.hpp"
#include "sandbox/crisp/detail/ids.hpp"
#include "sandbox/crisp/detail/route_helpers.hpp"

namespace weft::sandbox::crisp::detail {
namespace json = boost::json;

namespace {

Reply data_reply(json::value data) {
  Reply r;
  r.data = std::move(data);
  return r;
}

const json::object* find_operator(const json::object& site, std::string_view user_id) {
  for (const auto& op : site.at("operators").as_array()) {
    if (op.at("details").at("user_id").as_string() == user_id) return &op.as_object();
  }
  return nullptr;
}

Reply get_state(Ctx& ctx) {
  json::object data;
  data["state"] = ctx.conversation().at("state");
  return data_reply(std::move(data));
}

Reply change_state(Ctx& ctx) {
  static const Schema schema(R"({"type":"object","required":["state"],"properties":{
    "state":{"type":"string","enum":["pending","unresolved","resolved"]},
    "user":{"type":"object"},"origin":{"type":"string"}}})");
  auto& conv = ctx.conversation();
  const auto& body = ctx.body_checked(schema);
  conv["state"] = body.at("state");
  conv["status"] = status_of_state(body.at("state").as_string());
  conv["updated_at"] = ctx.now;
  if (body.at("state") == "resolved") conv["unread"].as_object()["operator"] = 0;
  return Reply{};
}

Reply change_inbox(Ctx& ctx) {
  static const Schema schema(R"({"type":"object","required":["inbox_id"],"properties":{
    "inbox_id":{"type":["string","null"],"format":"uuid"}}})");
  auto& conv = ctx.conversation();
  const auto& body = ctx.body_checked(schema);
  const auto& id = body.at("inbox_id");
  if (id.is_string()) {
    bool found = false;
    for (const auto& inbox : ctx.site.at("inboxes").as_array()) found = found || inbox.at("inbox_id") == id;
    if (!found) throw_not_found("inbox not found");
  }
  conv["inbox_id"] = id;
  conv["updated_at"] = ctx.now;
  return Reply{};
}

Reply get_routing(Ctx& ctx) {
  const auto& conv = ctx.conversation();
  json::object data;
  const auto* assigned = conv.if_contains("assigned");
  data["assigned"] = assigned != nullptr ? *assigned : json::value();
  return data_reply(std::move(data));
}

Reply assign_routing(Ctx& ctx) {
  static const Schema schema(R"({"type":"object","required":["assigned"],"properties":{
    "assigned":{"type":["object","null"],"required":["user_id"],"properties":{"user_id":{"type":"string","format":"uuid"}}},
    "silent":{"type":"boolean"}}})");
  auto& conv = ctx.conversation();
  const auto& body = ctx.body_checked(schema);
  const auto& assigned = body.at("assigned");
  if (assigned.is_null()) {
    conv.erase("assigned");
  } else {
    if (find_operator(ctx.site, assigned.at("user_id").as_string()) == nullptr) throw_not_found("operator not found");
    json::object a;
    a["user_id"] = assigned.at("user_id");
    conv["assigned"] = std::move(a);
  }
  conv["updated_at"] = ctx.now;
  return Reply{};
}

Reply get_meta(Ctx& ctx) { return data_reply(ctx.conversation().at("meta")); }

Reply update_meta(Ctx& ctx) {
  static const Schema schema(R"({"type":"object","properties":{
    "nickname":{"type":"string","maxLength":200},"email":{"type":"string","format":"email"},
    "phone":{"type":"string"},"address":{"type":"string"},"subject":{"type":"string"},"ip":{"type":"string"},
    "avatar":{"type":"string"},"origin":{"type":"string"},
    "segments":{"type":"array","items":{"type":"string","minLength":1}},
    "data":{"type":"object"},"device":{"type":"object"},"connection":{"type":"object"}}})");
  auto& conv = ctx.conversation();
  const auto& body = ctx.body_checked(schema);
  auto& meta = conv["meta"].as_object();
  for (const auto& [key, value] : body) {
    if (key == "data") {
      // Sandbox behaviour: data merges key by key; segments and the rest replace.
      auto& data = meta["data"];
      if (!data.is_object()) data = json::object();
      for (const auto& [k, v] : value.as_object()) data.as_object()[k] = v;
    } else {
      meta[key] = value;
    }
  }
  conv["updated_at"] = ctx.now;
  return Reply{};
}

Reply get_block(Ctx& ctx) {
  json::object data;
  data["blocked"] = ctx.conversation().at("is_blocked");
  return data_reply(std::move(data));
}

Reply change_block(Ctx& ctx) {
  static const Schema schema(R"({"type":"object","required":["blocked"],"properties":{
    "blocked":{"type":"boolean"},"user":{"type":"object"},"origin":{"type":"string"}}})");
  auto& conv = ctx.conversation();
  const auto& body = ctx.body_checked(schema);
  conv["is_blocked"] = body.at("blocked");
  return Reply{};
}

Reply report(Ctx& ctx) {
  static const Schema schema(R"({"type":"object","required":["flag"],"properties":{
    "flag":{"type":"string","enum":["spam","abuse","phishing","other"]}}})");
  ctx.conversation();
  const auto& body = ctx.body_checked(schema);
  auto& reports = ctx.site.at("reports").as_object();
  const std::string sid(ctx.param("session_id"));
  Reply r;
  r.reason = "dispatched";
  if (reports.contains(sid)) {
    r.replayed = true;  // sandbox: reporting again changes nothing
    return r;
  }
  json::object entry;
  entry["flag"] = body.at("flag");
  entry["timestamp"] = ctx.now;
  reports[sid] = std::move(entry);
  return r;
}

Reply mark_read(Ctx& ctx) {
  static const Schema schema(R"({"type":"object","required":["from","origin"],"properties":{
    "from":{"type":"string","enum":["user","operator"]},"origin":{"type":"string"},
    "fingerprints":{"type":"array","items":{"type":"integer"}}}})");
  auto& conv = ctx.conversation();
  const auto& body = ctx.body_checked(schema);
  // from "operator": the operator read the visitor's messages (and the reverse).
  const std::string reader(body.at("from").as_string());
  const std::string author = reader == "operator" ? "user" : "operator";
  const auto* fps = body.if_contains("fingerprints");
  for (auto& m : ctx.messages()) {
    auto& mo = m.as_object();
    if (mo.at("from") != json::value(author)) continue;
    if (fps != nullptr) {
      bool listed = false;
      for (const auto& f : fps->as_array())
        listed = listed || f.to_number<std::int64_t>() == mo.at("fingerprint").to_number<std::int64_t>();
      if (!listed) continue;
    }
    mo["read"] = body.at("origin");
  }
  conv["unread"].as_object()[reader == "operator" ? "operator" : "visitor"] = 0;
  return Reply{};
}

}  // namespace

void add_conversation_property_routes(Api& api) {
  api.add("GET", "/conversation/{session_id}/state", Family::general, get_state);
  api.add("PATCH", "/conversation/{session_id}/state", Family::general, change_state);
  api.add("PATCH", "/conversation/{session_id}/inbox", Family::general, change_inbox);
  api.add("GET", "/conversation/{session_id}/routing", Family::general, get_routing);
  api.add("PATCH", "/conversation/{session_id}/routing", Family::general, assign_routing);
  api.add("GET", "/conversation/{session_id}/meta", Family::general, get_meta);
  api.add("PATCH", "/conversation/{session_id}/meta", Family::general, update_meta);
  api.add("GET", "/conversation/{session_id}/block", Family::general, get_block);
  api.add("PATCH", "/conversation/{session_id}/block", Family::general, change_block);
  api.add("POST", "/conversation/{session_id}/report", Family::general, report);
  api.add("PATCH", "/conversation/{session_id}/read", Family::general, mark_read);
}

}  // namespace weft::sandbox::crisp::detail
