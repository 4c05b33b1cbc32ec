// SPDX-License-Identifier: MIT
// Spam quarantine: list, resolve content, decision. crisp-api.md §2.8.
// Sandbox behaviour: "accept" moves the quarantined message into a new conversation; "reject"
// deletes it. Both remove the item from the spam list.

#include "sandbox/crisp/detail/api.hpp"
#include "sandbox/crisp/detail/ids.hpp"
#include "sandbox/crisp/detail/route_helpers.hpp"

namespace weft::sandbox::crisp::detail {
namespace json = boost::json;

namespace {

json::array::iterator find_spam(Ctx& ctx) {
  const auto id = ctx.param("spam_id");
  if (!is_uuid(id)) throw_invalid("data.spam_id should match format \"uuid\"");
  auto& spams = ctx.site.at("spams").as_array();
  for (auto it = spams.begin(); it != spams.end(); ++it) {
    if (it->at("spam_id").as_string() == id) return it;
  }
  throw_not_found("spam not found");
}

Reply list_spams(Ctx& ctx) {
  const auto page = ctx.page();
  std::vector<const json::value*> items;
  json::array copies;
  for (const auto& s : ctx.site.at("spams").as_array()) {
    json::object e = s.as_object();
    e.erase("content");
    copies.emplace_back(std::move(e));
  }
  for (const auto& c : copies) items.push_back(&c);
  Reply r;
  r.raw_data = paginate_json(items, page, 20);
  return r;
}

Reply spam_content(Ctx& ctx) {
  Reply r;
  r.data = *find_spam(ctx);
  return r;
}

Reply spam_decision(Ctx& ctx) {
  static const Schema schema(R"({"type":"object","required":["action"],"properties":{
    "action":{"type":"string","enum":["accept","reject"]}}})");
  auto it = find_spam(ctx);
  const auto& body = ctx.body_checked(schema);
  Reply r;
  r.reason = "dispatched";
  if (body.at("action") == "accept") {
    const auto& spam = it->as_object();
    const std::string sid(spam.at("metadata").at("session_id").as_string());
    if (!ctx.site.at("conversations").as_object().contains(sid)) {
      auto& conv = create_conversation(ctx, sid);
      conv["meta"].as_object()["nickname"] = spam.at("metadata").at("nickname");
      conv["meta"].as_object()["email"] = spam.at("metadata").at("email");
      json::object m;
      m["session_id"] = sid;
      m["website_id"] = ctx.website_id;
      m["type"] = "text";
      m["from"] = "user";
      m["origin"] = "chat";
      m["content"] = spam.at("content").at("text");
      m["fingerprint"] = ctx.store.new_fingerprint();
      m["timestamp"] = spam.at("timestamp");
      json::object user;
      user["nickname"] = spam.at("metadata").at("nickname");
      m["user"] = std::move(user);
      m["read"] = "";
      m["delivered"] = "chat";
      append_message(ctx, sid, std::move(m));
    }
    r.session_id = sid;
  }
  ctx.site.at("spams").as_array().erase(it);
  return r;
}

}  // namespace

void add_spam_routes(Api& api) {
  api.add("GET", "/conversations/spams/{page_number}", Family::general, list_spams);
  api.add("GET", "/conversations/spam/{spam_id}/content", Family::general, spam_content);
  api.add("POST", "/conversations/spam/{spam_id}/decision", Family::general, spam_decision);
}

}  // namespace weft::sandbox::crisp::detail
