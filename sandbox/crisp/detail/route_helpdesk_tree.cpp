// SPDX-License-Identifier: MIT
// Helpdesk crisp-api 11 tree routes (migrated workspaces): tree list, path create / get / delete,
// content get / put, metadata get / patch (state.published publishes), tree page, page list,
// page entity, history changes, refresh. crisp-api.md §8.3–8.5. The tree path is a catch-all
// capture; '.' and '..' segments are refused.

#include <algorithm>

#include "sandbox/crisp/detail/api.hpp"
#include "sandbox/crisp/detail/helpdesk_store.hpp"
#include "sandbox/crisp/detail/ids.hpp"

namespace weft::sandbox::crisp::detail {
namespace json = boost::json;

namespace {

void check_type(std::string_view type) {
  if (type != "articles" && type != "guides" && type != "references" && type != "news") {
    throw_invalid("data.content_type should be equal to one of the allowed values");
  }
}

// Validates locale, content type and tree path of the request; returns the path.
std::string target(Ctx& ctx) {
  locale_of(ctx, ctx.param("locale"));
  check_type(ctx.param("content_type"));
  const std::string path(ctx.param("tree_path"));
  std::size_t start = 0;
  while (true) {
    const auto slash = path.find('/', start);
    const auto seg =
        std::string_view(path).substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (seg.empty() || seg == "." || seg == "..")
      throw_invalid("data.tree_path should not contain empty, '.' or '..' segments");
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return path;
}

json::object& existing(Ctx& ctx) {
  const std::string path = target(ctx);
  auto* e = find_entry_by_path(ctx, ctx.param("locale"), ctx.param("content_type"), path);
  if (e == nullptr) throw_not_found("tree path not found");
  return *e;
}

json::object& existing_file(Ctx& ctx) {
  auto& e = existing(ctx);
  if (e.at("kind") != "file") throw_invalid("data.tree_path should be a file, not a folder");
  return e;
}

std::string parent_of(std::string_view path) {
  const auto slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(path.substr(0, slash));
}

json::object tree_entry(Ctx& ctx, const json::object& e, bool with_children) {
  json::object out;
  out["type"] = e.at("kind");
  const std::string path(e.at("tree_path").as_string());
  out["slug"] = path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
  out["title"] = e.at("title");
  out["state"] = metadata_json(e).at("state");
  out["path"] = path;  // sandbox extension: the full tree path
  json::array children;
  if (with_children && e.at("kind") == "folder") {
    std::vector<const json::object*> kids;
    for (const auto& other : entries(ctx)) {
      const auto& o = other.as_object();
      if (o.at("locale") == e.at("locale") && o.at("content_type") == e.at("content_type") &&
          parent_of(o.at("tree_path").as_string()) == path) {
        kids.push_back(&o);
      }
    }
    std::stable_sort(kids.begin(), kids.end(), in_entry_order);
    for (const auto* k : kids) children.emplace_back(tree_entry(ctx, *k, true));
  }
  out["children"] = std::move(children);
  return out;
}

Reply list_tree(Ctx& ctx) {
  const auto page = ctx.page();
  const auto locale = ctx.param("locale");
  locale_of(ctx, locale);
  const auto type = ctx.param("content_type");
  check_type(type);
  const std::string sub(ctx.query("sub_path").value_or(""));
  const auto title = ctx.query("search_title");
  std::optional<std::int64_t> from, to;
  if (auto v = ctx.query("filter_date_start")) {
    from = parse_iso8601(*v);
    if (!from) throw_invalid("data.filter_date_start should match format \"date-time\"");
  }
  if (auto v = ctx.query("filter_date_end")) {
    to = parse_iso8601(*v);
    if (!to) throw_invalid("data.filter_date_end should match format \"date-time\"");
  }
  std::vector<const json::object*> picked;
  for (const auto& v : entries(ctx)) {
    const auto& o = v.as_object();
    if (o.at("locale").as_string() != locale || o.at("content_type").as_string() != type) continue;
    const std::string path(o.at("tree_path").as_string());
    const auto updated = o.at("updated_at").to_number<std::int64_t>();
    if (from && updated < *from) continue;
    if (to && updated > *to) continue;
    if (title) {
      // Sandbox: a title search lists matching entries at any depth below sub_path, flat.
      if (o.at("kind") != "file" || lower(o.at("title").as_string()).find(lower(*title)) == std::string::npos) continue;
      if (!sub.empty() && path.rfind(sub + "/", 0) != 0) continue;
    } else if (parent_of(path) != sub) {
      continue;
    }
    picked.push_back(&o);
  }
  std::stable_sort(picked.begin(), picked.end(), in_entry_order);
  json::array all;
  for (const auto* o : picked) all.emplace_back(tree_entry(ctx, *o, !title));
  Reply r;
  r.raw_data = paginate_json(all, page, 20);
  return r;
}

Reply create_path(Ctx& ctx) {
  const std::string path = target(ctx);
  Reply r;
  const auto locale = ctx.param("locale");
  const auto type = ctx.param("content_type");
  if (find_entry_by_path(ctx, locale, type, path) != nullptr) {
    r.replayed = true;  // sandbox: creating an existing path answers 200 and changes nothing
    return r;
  }
  const bool file = path.size() > 3 && path.substr(path.size() - 3) == ".md";
  const std::string leaf = path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
  auto& e = create_entry(ctx, locale, type, path, file ? "file" : "folder", file ? "" : leaf);
  record_change(ctx, e, "added", "Create " + path);
  return r;
}

Reply delete_path(Ctx& ctx) {
  const auto& e = existing(ctx);
  record_change(ctx, e, "deleted", "Delete " + std::string(e.at("tree_path").as_string()));
  const std::string path(e.at("tree_path").as_string());
  const json::value locale = e.at("locale"), type = e.at("content_type");
  auto& list = entries(ctx);
  // Recursive: the entry and everything below it.
  list.erase(std::remove_if(list.begin(), list.end(),
                            [&](const json::value& v) {
                              if (v.at("locale") != locale || v.at("content_type") != type) return false;
                              const std::string p(v.at("tree_path").as_string());
                              return p == path || p.rfind(path + "/", 0) == 0;
                            }),
             list.end());
  return Reply{};
}

Reply put_content(Ctx& ctx) {
  static const Schema schema(R"({"type":"object","required":["content"],"properties":{"content":{"type":"string"}}})");
  auto& e = existing_file(ctx);
  const auto& body = ctx.body_checked(schema);
  e["content"] = body.at("content");
  e["updated_at"] = ctx.now;
  record_change(ctx, e, "modified", "Update content");
  return Reply{};
}

Reply patch_metadata(Ctx& ctx) {
  static const Schema schema(R"({"type":"object","properties":{
    "format":{"type":"string"},"title":{"type":"string","minLength":1,"maxLength":200},"description":{"type":"string","maxLength":500},
    "state":{"type":"object","properties":{"published":{"type":"boolean"},"hidden":{"type":"boolean"},"featured":{"type":"boolean"}},"additionalProperties":false},
    "author":{"type":"object","properties":{"user_id":{"type":"string"}}},"color":{"type":"string"},"image":{"type":"string"}}})");
  auto& e = existing(ctx);
  const auto& body = ctx.body_checked(schema);
  // Sandbox behaviour: a field-by-field merge, including inside state.
  for (const auto& [key, value] : body) {
    if (key == "state") {
      for (const auto& [k, v] : value.as_object()) {
        if (k == "published" && v.as_bool() && !e.at("published").as_bool()) e["published_at"] = ctx.now;
        if (k == "published" && !v.as_bool()) e["published_at"] = nullptr;
        e[k] = v;
      }
    } else if (key == "author") {
      if (const auto* u = value.as_object().if_contains("user_id")) e["author"] = *u;
    } else {
      e[key] = value;
    }
  }
  e["updated_at"] = ctx.now;
  record_change(ctx, e, "modified", "Update metadata");
  return Reply{};
}

json::object page_json(Ctx& ctx, const json::object& e) {
  json::object p;
  p["entity_id"] = e.at("entry_id");
  p["title"] = e.at("title");
  p["tree_path"] = e.at("tree_path");
  p["url"] = entry_url(ctx, e);
  return p;
}

Reply list_pages(Ctx& ctx) {
  const auto page = ctx.page();
  const auto locale = ctx.param("locale");
  locale_of(ctx, locale);
  const auto type = ctx.param("content_type");
  check_type(type);
  json::array all;
  for (const auto& v : entries(ctx)) {
    const auto& o = v.as_object();
    // Sandbox: public pages are files with published && !hidden.
    if (o.at("locale").as_string() != locale || o.at("content_type").as_string() != type || o.at("kind") != "file")
      continue;
    if (!o.at("published").as_bool() || o.at("hidden").as_bool()) continue;
    all.emplace_back(page_json(ctx, o));
  }
  Reply r;
  r.raw_data = paginate_json(all, page, 20);
  return r;
}

Reply page_entity(Ctx& ctx) {
  const auto locale = ctx.param("locale");
  locale_of(ctx, locale);
  const auto type = ctx.param("content_type");
  check_type(type);
  const auto id = ctx.param("entity_id");
  if (!is_uuid(id)) throw_invalid("data.entity_id should match format \"uuid\"");
  const auto* e = find_entry_by_id(ctx, locale, id);
  // Sandbox: any file resolves, published or not (Crisp's answer for drafts is unknown), so an
  // article_id can always be mapped to its tree path.
  if (e == nullptr || e->at("content_type").as_string() != type) throw_not_found("page not found");
  Reply r;
  r.data = page_json(ctx, *e);
  return r;
}

Reply list_history(Ctx& ctx) {
  const auto page = ctx.page();
  const auto locale = ctx.query("filter_locale");
  const auto type = ctx.query("filter_type");
  const auto path = ctx.query("filter_tree_path");
  const auto& history = helpdesk(ctx).at("history").as_array();
  std::vector<const json::value*> items;
  for (auto it = history.rbegin(); it != history.rend(); ++it) {  // newest first
    const auto& f = it->at("files").as_array().front();
    if (locale && f.at("locale").as_string() != *locale) continue;
    if (type && f.at("content_type").as_string() != *type) continue;
    if (path && f.at("path").as_string() != *path) continue;
    items.push_back(&*it);
  }
  Reply r;
  r.raw_data = paginate_json(items, page, 20);
  return r;
}

}  // namespace

void add_helpdesk_tree_routes(Api& api) {
  const std::string tail = "/{locale}/{content_type}/{*tree_path}";
  api.add("GET", "/helpdesk/tree/list/{locale}/{content_type}/{page_number}", Family::helpdesk_tree, list_tree);
  api.add("POST", "/helpdesk/tree/path" + tail, Family::helpdesk_tree, create_path);
  api.add("GET", "/helpdesk/tree/path" + tail, Family::helpdesk_tree, [](Ctx& ctx) {
    Reply r;
    r.data = tree_entry(ctx, existing(ctx), true);
    return r;
  });
  api.add("DELETE", "/helpdesk/tree/path" + tail, Family::helpdesk_tree, delete_path);
  api.add("GET", "/helpdesk/tree/content" + tail, Family::helpdesk_tree, [](Ctx& ctx) {
    json::object data;
    data["content"] = existing_file(ctx).at("content");
    Reply r;
    r.data = std::move(data);
    return r;
  });
  api.add("PUT", "/helpdesk/tree/content" + tail, Family::helpdesk_tree, put_content);
  api.add("GET", "/helpdesk/tree/metadata" + tail, Family::helpdesk_tree, [](Ctx& ctx) {
    Reply r;
    r.data = metadata_json(existing(ctx));
    return r;
  });
  api.add("PATCH", "/helpdesk/tree/metadata" + tail, Family::helpdesk_tree, patch_metadata);
  api.add("GET", "/helpdesk/tree/page" + tail, Family::helpdesk_tree, [](Ctx& ctx) {
    const auto& e = existing_file(ctx);
    json::object data;
    data["title"] = e.at("title");
    data["url"] = entry_url(ctx, e);
    Reply r;
    r.data = std::move(data);
    return r;
  });
  api.add("GET", "/helpdesk/page/list/{locale}/{content_type}/{page_number}", Family::helpdesk_tree, list_pages);
  api.add("GET", "/helpdesk/page/entity/{locale}/{content_type}/{entity_id}", Family::helpdesk_tree, page_entity);
  api.add("GET", "/helpdesk/history/changes/{page_number}", Family::helpdesk_tree, list_history);
  api.add("POST", "/helpdesk/refresh/{locale}/{content_type}", Family::helpdesk_tree, [](Ctx& ctx) {
    locale_of(ctx, ctx.param("locale"));
    check_type(ctx.param("content_type"));
    Reply r;
    r.reason = "dispatched";
    r.replayed = true;  // sandbox: accepted and ignored
    return r;
  });
}

}  // namespace weft::sandbox::crisp::detail
