// SPDX-License-Identifier: MIT
// Helpdesk routes common to both families: resolve helpdesk, locales (list, add, HEAD/get).
// crisp-api.md §2.12 and §8.3.3. The locale shape follows the website's helpdesk mode: legacy
// {articles, categories}, tree {statistics}, both: all of them (sandbox choice, §8.8 row 27).

#include "sandbox/crisp/detail/api.hpp"
#include "sandbox/crisp/detail/helpdesk_store.hpp"

namespace weft::sandbox::crisp::detail {
namespace json = boost::json;

namespace {

json::object locale_json(Ctx& ctx, const json::object& l) {
  json::object out;
  out["locale_id"] = l.at("locale_id");
  out["locale"] = l.at("locale");
  out["url"] = l.at("url");
  const std::string mode(ctx.site.at("helpdesk_mode").as_string());
  const auto locale = l.at("locale").as_string();
  std::int64_t articles = 0, categories = 0;
  json::object stats;
  for (const char* type : {"articles", "guides", "references", "news"}) {
    std::int64_t files = 0, folders = 0;
    for (const auto& e : entries(ctx)) {
      if (e.at("locale").as_string() != locale || e.at("content_type").as_string() != type) continue;
      (e.at("kind") == "file" ? files : folders) += 1;
    }
    json::object s;
    s["entries"] = files;
    s["groups"] = folders;
    stats[type] = std::move(s);
    if (std::string_view(type) == "articles") {
      articles = files;
      categories = folders;
    }
  }
  if (mode != "tree") {
    out["articles"] = articles;
    out["categories"] = categories;
  }
  if (mode != "legacy") out["statistics"] = std::move(stats);
  return out;
}

}  // namespace

void add_helpdesk_routes(Api& api) {
  auto resolve = [](Ctx& ctx) {
    json::object data;
    data["name"] = helpdesk(ctx).at("name");
    data["url"] = helpdesk(ctx).at("url");
    Reply r;
    r.data = std::move(data);
    return r;
  };
  api.add("GET", "/helpdesk", Family::helpdesk, resolve);
  api.add("HEAD", "/helpdesk", Family::helpdesk, resolve);
  api.add("GET", "/helpdesk/locales/{page_number}", Family::helpdesk, [](Ctx& ctx) {
    const auto page = ctx.page();
    json::array all;
    for (const auto& [code, l] : helpdesk(ctx).at("locales").as_object()) {
      (void)code;
      all.emplace_back(locale_json(ctx, l.as_object()));
    }
    std::vector<const json::value*> items;
    for (const auto& l : all) items.push_back(&l);
    Reply r;
    r.raw_data = paginate_json(items, page, 20);
    return r;
  });
  api.add("POST", "/helpdesk/locale", Family::helpdesk, [](Ctx& ctx) {
    static const Schema schema(R"({"type":"object","required":["locale"],"properties":{
      "locale":{"type":"string","pattern":"^[a-z]{2}(-[a-z]{2})?$"}}})");
    const auto& body = ctx.body_checked(schema);
    auto& locales = helpdesk(ctx).at("locales").as_object();
    const std::string code(body.at("locale").as_string());
    Reply r;
    if (locales.contains(code)) {
      r.replayed = true;  // sandbox: adding an existing locale changes nothing
      return r;
    }
    json::object l;
    l["locale_id"] = ctx.store.new_uuid();
    l["locale"] = code;
    l["url"] = std::string(helpdesk(ctx).at("url").as_string()) + "/" + code + "/";
    l["created_at"] = ctx.now;
    locales[code] = std::move(l);
    return r;
  });
  auto get_locale = [](Ctx& ctx) {
    Reply r;
    r.data = locale_json(ctx, locale_of(ctx, ctx.param("locale")));
    return r;
  };
  api.add("GET", "/helpdesk/locale/{locale}", Family::helpdesk, get_locale);
  api.add("HEAD", "/helpdesk/locale/{locale}", Family::helpdesk, get_locale);
}

}  // namespace weft::sandbox::crisp::detail
