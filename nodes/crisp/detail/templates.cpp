// SPDX-License-Identifier: MIT
#include "nodes/crisp/detail/templates.hpp"

namespace weft::crisp::detail {
namespace json = boost::json;

bool has_var(const json::object& vars, std::string_view name) {
  const json::value* v = vars.if_contains(name);
  return v && !v->is_null();
}

std::optional<json::value> render(const json::value& tmpl, const json::object& vars) {
  if (tmpl.is_string()) {
    const std::string_view s = tmpl.as_string();
    if (s.size() > 2 && s.front() == '{' && s.back() == '}' && s.find('{', 1) == std::string_view::npos) {
      const std::string_view name = s.substr(1, s.size() - 2);
      if (!has_var(vars, name)) return std::nullopt;
      return vars.at(name);
    }
    return tmpl;
  }
  if (tmpl.is_object()) {
    json::object out;
    for (const auto& [key, member] : tmpl.as_object())
      if (auto v = render(member, vars)) out[key] = std::move(*v);
    json::value result = std::move(out);
    return result;
  }
  if (tmpl.is_array()) {
    json::array out;
    for (const auto& item : tmpl.as_array())
      if (auto v = render(item, vars)) out.push_back(std::move(*v));
    json::value result = std::move(out);
    return result;
  }
  return tmpl;
}

const json::value* field_of(const json::value& data, std::string_view dotted) {
  const json::value* at = &data;
  while (!dotted.empty()) {
    const std::size_t dot = dotted.find('.');
    const std::string_view key = dotted.substr(0, dot);
    if (!at->is_object()) return nullptr;
    at = at->as_object().if_contains(key);
    if (!at) return nullptr;
    dotted = dot == std::string_view::npos ? std::string_view() : dotted.substr(dot + 1);
  }
  return at;
}

std::string slug_path(std::string_view folder, std::string_view title) {
  std::string slug;
  bool dash = false;
  for (unsigned char c : title) {
    if (std::isalnum(c) && c < 128) {
      if (dash && !slug.empty()) slug += '-';
      slug += static_cast<char>(std::tolower(c));
      dash = false;
    } else {
      dash = true;
    }
    if (slug.size() >= 80) break;
  }
  if (slug.empty()) slug = "article";
  std::string path(folder);
  while (!path.empty() && path.back() == '/') path.pop_back();
  if (!path.empty()) path += '/';
  return path + slug + ".md";
}

namespace {
void flatten_into(const json::value& entries, const std::string& prefix, json::array& out) {
  if (!entries.is_array()) return;
  for (const auto& e : entries.as_array()) {
    if (!e.is_object()) continue;
    const json::object& o = e.as_object();
    const json::value* slug = o.if_contains("slug");
    std::string path = prefix;
    if (slug && slug->is_string()) path += (path.empty() ? "" : "/") + std::string(slug->as_string());
    json::object item;
    item["tree_path"] = path;
    for (const char* key : {"type", "title", "state"})
      if (const auto* v = o.if_contains(key)) item[key] = *v;
    out.push_back(std::move(item));
    if (const auto* children = o.if_contains("children")) flatten_into(*children, path, out);
  }
}
}  // namespace

json::array flatten_tree(const json::value& data) {
  json::array out;
  flatten_into(data, "", out);
  return out;
}

}  // namespace weft::crisp::detail
