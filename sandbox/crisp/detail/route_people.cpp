// SPDX-License-Identifier: MIT
// People (CRM profiles): list with search and sort, add, HEAD / get, save (PUT), update (PATCH),
// remove, list a profile's conversations (session ids). crisp-api.md §2.11.

#include <algorithm>

#include "sandbox/crisp/detail/api.hpp"
#include "sandbox/crisp/detail/ids.hpp"

namespace weft::sandbox::crisp::detail {
namespace json = boost::json;

namespace {

constexpr std::string_view kCardProperties = R"(
    "email":{"type":"string","format":"email"},
    "person":{"type":"object","properties":{
      "nickname":{"type":"string","minLength":1,"maxLength":200},"avatar":{"type":"string"},"gender":{"type":"string","enum":["male","female",""]},
      "phone":{"type":"string"},"address":{"type":"string"},"description":{"type":"string"},"website":{"type":"string"},
      "timezone":{"type":"integer"},"profiles":{"type":"array"},"employment":{"type":"object"},"geolocation":{"type":"object"},
      "locales":{"type":"array","items":{"type":"string"}}}},
    "company":{"type":"object"},
    "segments":{"type":"array","items":{"type":"string","minLength":1}},
    "notepad":{"type":"string"},
    "active":{"type":"integer"})";

const Schema& add_schema() {
  std::string props(kCardProperties);
  const std::string person = R"("person":{"type":"object",)";
  props.replace(props.find(person), person.size(), person + R"("required":["nickname"],)");
  static const Schema s(std::string(R"({"type":"object","required":["email","person"],"properties":{)") + props + "}}");
  return s;
}

const Schema& update_schema() {
  static const Schema s(std::string(R"({"type":"object","properties":{)") + std::string(kCardProperties) + "}}");
  return s;
}

json::object& find_profile(Ctx& ctx) {
  const auto id = ctx.param("people_id");
  if (!is_uuid(id)) throw_invalid("data.people_id should match format \"uuid\"");
  auto* p = ctx.site.at("people").as_object().if_contains(id);
  if (p == nullptr) throw_not_found("people not found");
  return p->as_object();
}

bool email_taken(Ctx& ctx, const json::value& email, std::string_view except_id) {
  for (const auto& [id, p] : ctx.site.at("people").as_object()) {
    if (id != except_id && p.at("email") == email) return true;
  }
  return false;
}

Reply list_profiles(Ctx& ctx) {
  const auto page = ctx.page();
  const auto per_page = ctx.per_page();
  const auto text = ctx.query("search_text");
  const std::string needle = text ? lower(*text) : std::string();
  const std::string sort_field(ctx.query("sort_field").value_or(""));
  const std::string sort_order(ctx.query("sort_order").value_or("ascending"));
  if (sort_order != "ascending" && sort_order != "descending")
    throw_invalid("data.sort_order should be equal to one of the allowed values");
  if (!sort_field.empty() && sort_field != "nickname" && sort_field != "email" && sort_field != "created_at" &&
      sort_field != "updated_at") {
    throw_invalid("data.sort_field should be equal to one of the allowed values");
  }
  std::vector<const json::value*> items;
  for (const auto& [id, p] : ctx.site.at("people").as_object()) {
    (void)id;
    if (text) {
      const auto& o = p.as_object();
      std::string hay = lower(o.at("email").as_string()) + " " + lower(o.at("person").at("nickname").as_string());
      if (const auto* c = o.if_contains("company")) hay += " " + lower(c->at("name").as_string());
      if (hay.find(needle) == std::string::npos) continue;
    }
    items.push_back(&p);
  }
  if (!sort_field.empty()) {
    auto key = [&](const json::value* v) -> std::string {
      if (sort_field == "nickname") return lower(v->at("person").at("nickname").as_string());
      if (sort_field == "email") return std::string(v->at("email").as_string());
      char buf[24];
      std::snprintf(buf, sizeof buf, "%020lld", static_cast<long long>(v->at(sort_field).to_number<std::int64_t>()));
      return buf;
    };
    std::stable_sort(items.begin(), items.end(), [&](const json::value* a, const json::value* b) {
      return sort_order == "ascending" ? key(a) < key(b) : key(b) < key(a);
    });
  }
  Reply r;
  r.raw_data = paginate_json(items, page, per_page);
  return r;
}

void merge_card(json::object& profile, const json::object& card, bool replace) {
  for (const auto& [key, value] : card) {
    if (!replace && (key == "person" || key == "company") && value.is_object() && profile.contains(key) &&
        profile.at(key).is_object()) {
      for (const auto& [k, v] : value.as_object()) profile[key].as_object()[k] = v;
    } else {
      profile[key] = value;
    }
  }
}

Reply add_profile(Ctx& ctx) {
  const auto& body = ctx.body_checked(add_schema());
  if (email_taken(ctx, body.at("email"), ""))
    throw ApiError{409, "people_exists", "a profile with this email already exists"};
  const std::string id = ctx.store.new_uuid();
  json::object p;
  p["people_id"] = id;
  p["email"] = "";
  p["person"] = json::object();
  p["segments"] = json::array();
  p["notepad"] = "";
  merge_card(p, body, true);
  json::object active;
  active["now"] = false;
  active["last"] = ctx.now;
  p["active"] = std::move(active);
  p["score"] = 0;
  p["created_at"] = ctx.now;
  p["updated_at"] = ctx.now;
  ctx.site.at("people").as_object()[id] = std::move(p);
  Reply r;
  json::object data;
  data["people_id"] = id;
  r.data = std::move(data);
  return r;
}

Reply get_profile(Ctx& ctx) {
  Reply r;
  r.data = find_profile(ctx);
  return r;
}

Reply save_profile(Ctx& ctx, bool replace) {
  auto& p = find_profile(ctx);
  const auto& body = ctx.body_checked(replace ? add_schema() : update_schema());
  if (const auto* email = body.if_contains("email");
      email != nullptr && email_taken(ctx, *email, ctx.param("people_id"))) {
    throw ApiError{409, "people_exists", "a profile with this email already exists"};
  }
  if (replace) {
    p["person"] = json::object();
    p["company"] = json::object();
    p["segments"] = json::array();
    p["notepad"] = "";
  }
  merge_card(p, body, replace);
  p["updated_at"] = ctx.now;
  return Reply{};
}

}  // namespace

void add_people_routes(Api& api) {
  api.add("GET", "/people/profiles/{page_number}", Family::general, list_profiles);
  api.add("POST", "/people/profile", Family::general, add_profile);
  api.add("GET", "/people/profile/{people_id}", Family::general, get_profile);
  api.add("HEAD", "/people/profile/{people_id}", Family::general, get_profile);
  api.add("PUT", "/people/profile/{people_id}", Family::general, [](Ctx& ctx) { return save_profile(ctx, true); });
  api.add("PATCH", "/people/profile/{people_id}", Family::general, [](Ctx& ctx) { return save_profile(ctx, false); });
  api.add("GET", "/people/conversations/{people_id}/list/{page_number}", Family::general, [](Ctx& ctx) {
    const auto page = ctx.page();
    const auto& profile = find_profile(ctx);
    json::array ids;
    for (const auto& [sid, conv] : ctx.site.at("conversations").as_object()) {
      if (conv.at("people_id") == profile.at("people_id")) ids.emplace_back(sid);
    }
    std::vector<const json::value*> items;
    for (const auto& id : ids) items.push_back(&id);
    Reply r;
    r.raw_data = paginate_json(items, page, 20);
    return r;
  });
  api.add("DELETE", "/people/profile/{people_id}", Family::general, [](Ctx& ctx) {
    find_profile(ctx);
    ctx.site.at("people").as_object().erase(ctx.param("people_id"));
    return Reply{};
  });
}

}  // namespace weft::sandbox::crisp::detail
