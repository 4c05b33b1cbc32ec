// SPDX-License-Identifier: MIT
// Conversations: list (filters, search, pagination), get / HEAD / delete, create, initiate.
// crisp-api.md §2.1–2.3.

#include <algorithm>

#include <boost/json/parse.hpp>

#include "sandbox/crisp/detail/api.hpp"
#include "sandbox/crisp/detail/ids.hpp"
#include "sandbox/crisp/detail/route_helpers.hpp"

namespace weft::sandbox::crisp::detail {
namespace json = boost::json;

namespace {

bool contains_ci(std::string_view haystack, const std::string& needle_lower) {
  return lower(haystack).find(needle_lower) != std::string::npos;
}

std::string_view str(const json::value* v) {
  return v != nullptr && v->is_string() ? std::string_view(v->get_string()) : std::string_view{};
}

// Text search: nickname, email, topic, last message and every message text (case-insensitive).
bool text_match(const json::object& conv, const json::array* messages, const std::string& q) {
  const auto& meta = conv.at("meta").as_object();
  if (contains_ci(str(meta.if_contains("nickname")), q) || contains_ci(str(meta.if_contains("email")), q) ||
      contains_ci(str(conv.if_contains("topic")), q) || contains_ci(str(conv.if_contains("last_message")), q)) {
    return true;
  }
  if (messages != nullptr) {
    for (const auto& m : *messages) {
      const auto* content = m.as_object().if_contains("content");
      if (content != nullptr && content->is_string() && contains_ci(content->get_string(), q)) return true;
    }
  }
  return false;
}

// The value at a dotted path ("meta.email", "state") of a conversation, or nullptr.
const json::value* lookup(const json::object& conv, std::string_view path) {
  const json::object* obj = &conv;
  while (true) {
    const auto dot = path.find('.');
    const auto* v = obj->if_contains(path.substr(0, dot));
    if (v == nullptr || dot == std::string_view::npos) return v;
    obj = v->if_object();
    if (obj == nullptr) return nullptr;
    path.remove_prefix(dot + 1);
  }
}

bool value_matches(const json::value* v, const std::string& q) {
  if (v == nullptr) return false;
  if (v->is_string()) return lower(v->get_string()) == q;
  if (v->is_array()) {
    for (const auto& item : v->get_array()) {
      if (item.is_string() && lower(item.get_string()) == q) return true;
    }
  }
  return false;
}

const Schema& filter_schema() {
  static const Schema s(R"({"type":"array","items":{"type":"object","required":["criterion","query","model","operator"],
    "properties":{"criterion":{"type":"string"},"query":{"type":"array","items":{"type":"string"}},
    "model":{"type":"string","enum":["session"]},"operator":{"type":"string","enum":["eq","neq"]}}}})");
  return s;
}

Reply list_conversations(Ctx& ctx) {
  const auto page = ctx.page();
  const auto per_page = ctx.per_page();
  const bool include_empty = ctx.flag("include_empty");
  const bool unread = ctx.flag("filter_unread");
  const bool resolved = ctx.flag("filter_resolved");
  const bool not_resolved = ctx.flag("filter_not_resolved");
  const bool unassigned = ctx.flag("filter_unassigned");
  const bool mention = ctx.flag("filter_mention");
  const auto inbox = ctx.query("filter_inbox_id");
  if (inbox && !is_uuid(*inbox)) throw_invalid("data.filter_inbox_id should match format \"uuid\"");
  const auto assigned = ctx.query("filter_assigned");
  std::optional<std::int64_t> date_start, date_end;
  if (auto v = ctx.query("filter_date_start")) {
    date_start = parse_iso8601(*v);
    if (!date_start) throw_invalid("data.filter_date_start should match format \"date-time\"");
  }
  if (auto v = ctx.query("filter_date_end")) {
    date_end = parse_iso8601(*v);
    if (!date_end) throw_invalid("data.filter_date_end should match format \"date-time\"");
  }
  const std::string search_type(ctx.query("search_type").value_or("text"));
  if (search_type != "text" && search_type != "segment" && search_type != "filter") {
    throw_invalid("data.search_type should be equal to one of the allowed values");
  }
  const std::string search_operator(ctx.query("search_operator").value_or("and"));
  if (search_operator != "and" && search_operator != "or")
    throw_invalid("data.search_operator should be equal to one of the allowed values");
  const auto search = ctx.query("search_query");
  const std::string needle = search ? lower(*search) : std::string();
  json::value filters;
  if (search && search_type == "filter") {
    json::error_code ec;
    filters = json::parse(*search, ec);
    if (ec) throw_invalid("data.search_query should be array");
    const auto msg = filter_schema().message(filters);
    if (!msg.empty()) {
      std::string fixed = msg;
      // Paths inside the filter are reported under data.search_query.
      for (std::size_t pos = 0; (pos = fixed.find("data", pos)) != std::string::npos; pos += 17)
        fixed.replace(pos, 4, "data.search_query");
      throw_invalid(fixed);
    }
  }

  const auto& reports = ctx.site.at("reports").as_object();
  const auto& all_messages = ctx.site.at("messages").as_object();
  std::vector<const json::value*> hits;
  for (const auto& [sid, value] : ctx.site.at("conversations").as_object()) {
    const auto& conv = value.as_object();
    if (reports.contains(sid)) continue;  // reported conversations leave the inbox
    const auto* msgs_v = all_messages.if_contains(sid);
    const json::array* msgs = msgs_v != nullptr ? msgs_v->if_array() : nullptr;
    if (!include_empty && (msgs == nullptr || msgs->empty())) continue;
    const std::string_view state = conv.at("state").as_string();
    if (unread && conv.at("unread").at("operator").to_number<std::int64_t>() == 0) continue;
    if (resolved && state != "resolved") continue;
    if (not_resolved && state == "resolved") continue;
    if (inbox && str(conv.if_contains("inbox_id")) != *inbox) continue;
    const auto* assigned_v = conv.if_contains("assigned");
    const std::string_view assigned_to =
        assigned_v != nullptr && assigned_v->is_object() ? str(assigned_v->as_object().if_contains("user_id")) : "";
    if (assigned && assigned_to != *assigned) continue;
    if (unassigned && !assigned_to.empty()) continue;
    if (mention && conv.at("mentions").as_array().empty()) continue;
    const auto updated = conv.at("updated_at").to_number<std::int64_t>();
    if (date_start && updated < *date_start) continue;
    if (date_end && updated > *date_end) continue;
    if (search) {
      if (search_type == "text" && !text_match(conv, msgs, needle)) continue;
      if (search_type == "segment" && !value_matches(lookup(conv, "meta.segments"), needle)) continue;
      if (search_type == "filter") {
        bool all = true, any = false;
        for (const auto& f : filters.as_array()) {
          const auto& fo = f.as_object();
          bool hit = false;
          for (const auto& q : fo.at("query").as_array())
            hit = hit || value_matches(lookup(conv, fo.at("criterion").as_string()), lower(q.as_string()));
          if (fo.at("operator") == "neq") hit = !hit;
          all = all && hit;
          any = any || hit;
        }
        if (search_operator == "and" ? !all : !any) continue;
      }
    }
    hits.push_back(&value);
  }
  // Sandbox order: most recently updated first; order_date_created sorts by creation instead,
  // order_date_waiting by longest waiting first.
  std::string key = "updated_at";
  bool ascending = false;
  if (ctx.flag("order_date_created")) key = "created_at";
  if (ctx.flag("order_date_waiting")) {
    key = "waiting_since";
    ascending = true;
  }
  std::stable_sort(hits.begin(), hits.end(), [&](const json::value* a, const json::value* b) {
    const auto x = a->at(key).to_number<std::int64_t>();
    const auto y = b->at(key).to_number<std::int64_t>();
    return ascending ? x < y : x > y;
  });
  Reply r;
  r.raw_data = paginate_json(hits, page, per_page);
  return r;
}

Reply get_conversation(Ctx& ctx) {
  Reply r;
  r.data = ctx.conversation();
  return r;
}

Reply remove_conversation(Ctx& ctx) {
  ctx.conversation();
  const std::string sid(ctx.param("session_id"));
  ctx.site.at("conversations").as_object().erase(sid);
  ctx.site.at("messages").as_object().erase(sid);
  ctx.site.at("reports").as_object().erase(sid);
  return Reply{};
}

}  // namespace

// A new, empty conversation (state pending, default inbox). Also used by the spam decision.
json::object& create_conversation(Ctx& ctx, const std::string& sid) {
  json::object c;
  c["session_id"] = sid;
  c["website_id"] = ctx.website_id;
  c["inbox_id"] = nullptr;
  c["people_id"] = nullptr;
  c["state"] = "pending";
  c["status"] = 0;
  c["is_verified"] = false;
  c["is_blocked"] = false;
  c["availability"] = "offline";
  json::object active;
  active["now"] = false;
  active["last"] = ctx.now;
  c["active"] = std::move(active);
  c["last_message"] = "";
  c["topic"] = "";
  c["verifications"] = json::array();
  c["participants"] = json::array();
  c["mentions"] = json::array();
  c["compose"] = json::object();
  json::object unread;
  unread["operator"] = 0;
  unread["visitor"] = 0;
  c["unread"] = std::move(unread);
  json::object meta;
  meta["nickname"] = "";
  meta["email"] = "";
  meta["phone"] = "";
  meta["address"] = "";
  meta["subject"] = "";
  meta["ip"] = "";
  meta["avatar"] = "";
  meta["origin"] = "chat";
  meta["segments"] = json::array();
  meta["data"] = json::object();
  c["meta"] = std::move(meta);
  c["created_at"] = ctx.now;
  c["updated_at"] = ctx.now;
  c["waiting_since"] = 0;
  auto& convs = ctx.site.at("conversations").as_object();
  convs[sid] = std::move(c);
  ctx.site.at("messages").as_object()[sid] = json::array();
  return convs[sid].as_object();
}

void add_conversation_routes(Api& api) {
  api.add("GET", "/conversations/{page_number}", Family::general, list_conversations);
  api.add("GET", "/conversation/{session_id}", Family::general, get_conversation);
  api.add("HEAD", "/conversation/{session_id}", Family::general, get_conversation);
  api.add("DELETE", "/conversation/{session_id}", Family::general, remove_conversation);
  api.add("POST", "/conversation", Family::general, [](Ctx& ctx) {
    static const Schema schema(R"({"type":"object"})");
    ctx.body_checked(schema);
    const std::string sid = ctx.store.new_session_id();
    create_conversation(ctx, sid);
    Reply r;
    json::object data;
    data["session_id"] = sid;
    r.data = std::move(data);
    r.session_id = sid;
    return r;
  });
  api.add("POST", "/conversation/{session_id}/initiate", Family::general, [](Ctx& ctx) {
    auto& conv = ctx.conversation();
    conv["updated_at"] = ctx.now;
    conv["active"].as_object()["now"] = true;
    conv["active"].as_object()["last"] = ctx.now;
    Reply r;
    r.reason = "dispatched";
    return r;
  });
}

}  // namespace weft::sandbox::crisp::detail
