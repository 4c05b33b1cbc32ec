// SPDX-License-Identifier: MIT
// Helpdesk v10 article routes (workspaces not migrated): list, add {title} -> {article_id},
// HEAD / get, save (PUT), update (PATCH), delete, publish -> {url}, unpublish, page.
// crisp-api.md §2.12. Articles live in the shared entry store (content type "articles").

#include <algorithm>

#include "sandbox/crisp/detail/api.hpp"
#include "sandbox/crisp/detail/helpdesk_store.hpp"
#include "sandbox/crisp/detail/ids.hpp"
#include "sandbox/crisp/detail/seed_data.hpp"

namespace weft::sandbox::crisp::detail {
namespace json = boost::json;

namespace {

constexpr std::string_view kArticleFields = R"(
  "title":{"type":"string","minLength":1,"maxLength":200},
  "description":{"type":["string","null"],"maxLength":500},
  "content":{"type":"string"},
  "featured":{"type":"boolean"},
  "order":{"type":"integer","minimum":0})";

json::object& find_article(Ctx& ctx) {
  const auto locale = ctx.param("locale");
  locale_of(ctx, locale);
  const auto id = ctx.param("article_id");
  if (!is_uuid(id)) throw_invalid("data.article_id should match format \"uuid\"");
  auto* e = find_entry_by_id(ctx, locale, id);
  if (e == nullptr || e->at("content_type") != "articles") throw_not_found("article not found");
  return *e;
}

Reply list_articles(Ctx& ctx) {
  const auto page = ctx.page();
  const auto locale = ctx.param("locale");
  locale_of(ctx, locale);
  const auto title = ctx.query("search_title");
  std::vector<json::object*> files;
  for (auto& e : entries(ctx)) {
    auto& o = e.as_object();
    if (o.at("locale").as_string() != locale || o.at("content_type") != "articles" || o.at("kind") != "file") continue;
    if (title) {
      if (lower(o.at("title").as_string()).find(lower(*title)) == std::string::npos) continue;
    }
    if (ctx.flag("filter_status_published") && !o.at("published").as_bool()) continue;
    if (ctx.flag("filter_status_draft") && o.at("published").as_bool()) continue;
    files.push_back(&o);
  }
  std::stable_sort(files.begin(), files.end(), in_entry_order);
  json::array all;
  for (const auto* f : files) all.emplace_back(article_json(ctx, *f));
  Reply r;
  r.raw_data = paginate_json(all, page, 20);
  return r;
}

Reply add_article(Ctx& ctx) {
  static const Schema schema(std::string(R"({"type":"object","required":["title"],"properties":{)") +
                             std::string(kArticleFields) + "}}");
  const auto locale = ctx.param("locale");
  locale_of(ctx, locale);
  const auto& body = ctx.body_checked(schema);
  const std::string title(body.at("title").as_string());
  // Legacy articles get a root-level tree path from their title, made unique with a suffix.
  std::string base = slugify(title), path = base + ".md";
  for (int n = 2; find_entry_by_path(ctx, locale, "articles", path) != nullptr; ++n)
    path = base + "-" + std::to_string(n) + ".md";
  auto& e = create_entry(ctx, locale, "articles", path, "file", title);
  record_change(ctx, e, "added", "Add article " + title);
  json::object data;
  data["article_id"] = e.at("entry_id");
  Reply r;
  r.data = std::move(data);
  return r;
}

Reply get_article(Ctx& ctx) {
  Reply r;
  r.data = article_json(ctx, find_article(ctx));
  return r;
}

Reply save_article(Ctx& ctx, bool put) {
  static const Schema put_schema(std::string(R"({"type":"object","required":["title","content"],"properties":{)") +
                                 std::string(kArticleFields) + "}}");
  static const Schema patch_schema(std::string(R"({"type":"object","properties":{)") + std::string(kArticleFields) +
                                   "}}");
  auto& e = find_article(ctx);
  const auto& body = ctx.body_checked(put ? put_schema : patch_schema);
  for (const auto& [key, value] : body) {
    e[key] = key == "description" && value.is_null() ? json::value("") : value;
  }
  if (put) {
    if (!body.contains("description")) e["description"] = "";
    if (!body.contains("featured")) e["featured"] = false;
  }
  e["updated_at"] = ctx.now;
  record_change(ctx, e, "modified", "Update article");
  return Reply{};
}

Reply publish(Ctx& ctx, bool on) {
  auto& e = find_article(ctx);
  Reply r;
  r.reason = "dispatched";
  if (e.at("published").as_bool() == on) {
    r.replayed = true;  // sandbox: publishing a published article (or the reverse) changes nothing
  } else {
    e["published"] = on;
    e["published_at"] = on ? json::value(ctx.now) : json::value();
    e["updated_at"] = ctx.now;
    record_change(ctx, e, "modified", on ? "Publish article" : "Unpublish article");
  }
  if (on) {
    json::object data;
    data["url"] = entry_url(ctx, e);
    r.data = std::move(data);
  }
  return r;
}

}  // namespace

void add_helpdesk_legacy_routes(Api& api) {
  const std::string base = "/helpdesk/locale/{locale}";
  api.add("GET", base + "/articles/{page_number}", Family::helpdesk_legacy, list_articles);
  api.add("POST", base + "/article", Family::helpdesk_legacy, add_article);
  api.add("GET", base + "/article/{article_id}", Family::helpdesk_legacy, get_article);
  api.add("HEAD", base + "/article/{article_id}", Family::helpdesk_legacy, get_article);
  api.add("PUT", base + "/article/{article_id}", Family::helpdesk_legacy,
          [](Ctx& ctx) { return save_article(ctx, true); });
  api.add("PATCH", base + "/article/{article_id}", Family::helpdesk_legacy,
          [](Ctx& ctx) { return save_article(ctx, false); });
  api.add("DELETE", base + "/article/{article_id}", Family::helpdesk_legacy, [](Ctx& ctx) {
    auto& e = find_article(ctx);
    record_change(ctx, e, "deleted", "Delete article");
    const json::value id = e.at("entry_id");
    auto& list = entries(ctx);
    list.erase(std::remove_if(list.begin(), list.end(), [&](const json::value& v) { return v.at("entry_id") == id; }),
               list.end());
    return Reply{};
  });
  api.add("POST", base + "/article/{article_id}/publish", Family::helpdesk_legacy,
          [](Ctx& ctx) { return publish(ctx, true); });
  api.add("POST", base + "/article/{article_id}/unpublish", Family::helpdesk_legacy,
          [](Ctx& ctx) { return publish(ctx, false); });
  api.add("GET", base + "/article/{article_id}/page", Family::helpdesk_legacy, [](Ctx& ctx) {
    const auto& e = find_article(ctx);
    json::object data;
    data["title"] = e.at("title");
    data["url"] = entry_url(ctx, e);
    Reply r;
    r.data = std::move(data);
    return r;
  });
}

}  // namespace weft::sandbox::crisp::detail
