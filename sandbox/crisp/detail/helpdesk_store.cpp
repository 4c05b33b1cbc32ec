// SPDX-License-Identifier: MIT
#include "sandbox/crisp/detail/helpdesk_store.hpp"

#include "sandbox/crisp/detail/seed_data.hpp"

namespace weft::sandbox::crisp::detail {
namespace json = boost::json;

json::object& helpdesk(Ctx& ctx) { return ctx.site.at("helpdesk").as_object(); }
json::array& entries(Ctx& ctx) { return helpdesk(ctx).at("entries").as_array(); }

bool valid_locale(std::string_view l) {
  auto lower2 = [](std::string_view s) {
    return s.size() == 2 && s[0] >= 'a' && s[0] <= 'z' && s[1] >= 'a' && s[1] <= 'z';
  };
  return lower2(l) || (l.size() == 5 && l[2] == '-' && lower2(l.substr(0, 2)) && lower2(l.substr(3)));
}

bool in_entry_order(const json::object* a, const json::object* b) {
  return a->at("order").to_number<std::int64_t>() < b->at("order").to_number<std::int64_t>();
}

json::object& locale_of(Ctx& ctx, std::string_view locale) {
  if (!valid_locale(locale)) throw_invalid("data.locale should match pattern \"^[a-z]{2}(-[a-z]{2})?$\"");
  auto* l = helpdesk(ctx).at("locales").as_object().if_contains(locale);
  if (l == nullptr) throw_not_found("locale not found");
  return l->as_object();
}

json::object* find_entry_by_path(Ctx& ctx, std::string_view locale, std::string_view type, std::string_view path) {
  for (auto& e : entries(ctx)) {
    auto& o = e.as_object();
    if (o.at("locale").as_string() == locale && o.at("content_type").as_string() == type &&
        o.at("tree_path").as_string() == path)
      return &o;
  }
  return nullptr;
}

json::object* find_entry_by_id(Ctx& ctx, std::string_view locale, std::string_view id) {
  for (auto& e : entries(ctx)) {
    auto& o = e.as_object();
    if (o.at("locale").as_string() == locale && o.at("entry_id").as_string() == id && o.at("kind") == "file") return &o;
  }
  return nullptr;
}

std::string entry_url(Ctx& ctx, const json::object& entry) {
  std::string type(entry.at("content_type").as_string());
  if (!type.empty() && type.back() == 's') type.pop_back();
  std::string slug(entry.at("tree_path").as_string());
  if (const auto slash = slug.rfind('/'); slash != std::string::npos) slug = slug.substr(slash + 1);
  if (slug.size() > 3 && slug.substr(slug.size() - 3) == ".md") slug.resize(slug.size() - 3);
  const std::string id(entry.at("entry_id").as_string());
  return std::string(helpdesk(ctx).at("url").as_string()) + "/" + std::string(entry.at("locale").as_string()) + "/" +
         type + "/" + slug + "-" + id.substr(0, 6) + "/";
}

json::object& create_entry(Ctx& ctx, std::string_view locale, std::string_view type, std::string_view path,
                           std::string_view kind, std::string_view title) {
  // Sandbox behaviour: missing parent folders are created (mkdir -p).
  if (const auto slash = path.rfind('/'); slash != std::string_view::npos) {
    const auto parent = path.substr(0, slash);
    if (find_entry_by_path(ctx, locale, type, parent) == nullptr) {
      const auto leaf = parent.substr(parent.rfind('/') == std::string_view::npos ? 0 : parent.rfind('/') + 1);
      create_entry(ctx, locale, type, parent, "folder", leaf);
    }
  }
  json::object e;
  e["entry_id"] = ctx.store.new_uuid();
  e["locale"] = locale;
  e["content_type"] = type;
  e["tree_path"] = path;
  e["kind"] = kind;
  e["title"] = title;
  e["description"] = "";
  e["content"] = "";
  e["published"] = false;
  e["hidden"] = false;
  e["featured"] = false;
  std::int64_t order = 0;
  for (const auto& other : entries(ctx)) order = std::max(order, other.at("order").to_number<std::int64_t>());
  e["order"] = order + 1;
  e["visits"] = 0;
  e["format"] = "markdown";
  e["color"] = "";
  e["image"] = "";
  e["author"] = "";
  e["created_at"] = ctx.now;
  e["updated_at"] = ctx.now;
  e["published_at"] = nullptr;
  auto& list = entries(ctx);
  list.emplace_back(std::move(e));
  return list.back().as_object();
}

void record_change(Ctx& ctx, const json::object& entry, std::string_view change, std::string_view message) {
  json::object c;
  c["change_id"] = ctx.store.new_uuid();
  c["message"] = message;
  json::object author;
  author["email"] = "api@sandbox.invalid";
  author["name"] = "API";
  c["author"] = std::move(author);
  json::object edits;
  edits["insertions"] = 1;
  edits["deletions"] = 0;
  c["edits"] = std::move(edits);
  c["created_at"] = ctx.now;
  json::array files;
  json::object f;
  f["change"] = change;
  f["path"] = entry.at("tree_path");
  f["locale"] = entry.at("locale");
  f["content_type"] = entry.at("content_type");
  f["metadata"] = metadata_json(entry);
  f["content"] = entry.at("content");
  files.emplace_back(std::move(f));
  c["files"] = std::move(files);
  helpdesk(ctx)["history"].as_array().emplace_back(std::move(c));
}

json::object article_json(Ctx& ctx, const json::object& e) {
  json::object a;
  a["article_id"] = e.at("entry_id");
  a["title"] = e.at("title");
  a["description"] = e.at("description").as_string().empty() ? json::value() : e.at("description");
  a["content"] = e.at("content");
  a["status"] = e.at("published").as_bool() ? "published" : "draft";
  a["visibility"] = e.at("hidden").as_bool() ? "hidden" : "visible";
  a["featured"] = e.at("featured");
  a["visits"] = e.at("visits");
  a["order"] = e.at("order");
  a["url"] = entry_url(ctx, e);
  a["created_at"] = e.at("created_at");
  a["updated_at"] = e.at("updated_at");
  a["published_at"] = e.at("published_at");
  return a;
}

json::object metadata_json(const json::object& e) {
  json::object m;
  m["format"] = e.at("format");
  m["title"] = e.at("title");
  m["description"] = e.at("description");
  json::object state;
  state["published"] = e.at("published");
  state["hidden"] = e.at("hidden");
  state["featured"] = e.at("featured");
  m["state"] = std::move(state);
  json::object author;
  author["user_id"] = e.at("author");
  m["author"] = std::move(author);
  m["color"] = e.at("color");
  m["image"] = e.at("image");
  return m;
}

}  // namespace weft::sandbox::crisp::detail
