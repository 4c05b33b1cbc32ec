// SPDX-License-Identifier: MIT
#include "nodes/crisp/detail/arguments.hpp"

#include "nodes/crisp/error.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>

namespace weft::crisp::detail {
namespace json = boost::json;
namespace {

std::string shown(const json::value& v) {
  std::string text = json::serialize(v);
  if (text.size() > 80) text = text.substr(0, 77) + "...";
  return text;
}

bool integral(const json::value& v) {
  if (v.is_int64() || v.is_uint64()) return true;
  return false;
}

// Walks `value` alongside `schema`, checking every property marked x-crisp-id.
void check_ids(const Catalog& catalog, const json::value& schema, const json::value& value, const std::string& where,
               std::vector<std::string>& problems) {
  if (!schema.is_object()) return;
  const json::object& s = schema.as_object();
  if (const auto* id = s.if_contains("x-crisp-id"); id && id->is_string() && !value.is_null()) {
    const IdKind* kind = catalog.id_kind(id->as_string());
    if (kind) {
      bool ok = false;
      if (kind->integer) {
        ok = integral(value) && (value.is_uint64() || value.as_int64() >= kind->minimum);
      } else if (value.is_string()) {
        ok = kind->matches(std::string(value.as_string()));
      }
      if (!ok) problems.push_back(bad_id_message(*kind, where, value));
      return;
    }
  }
  if (value.is_object()) {
    if (const auto* props = s.if_contains("properties"); props && props->is_object())
      for (const auto& [name, sub] : props->as_object())
        if (const auto* v = value.as_object().if_contains(name))
          check_ids(catalog, sub, *v, where + "." + std::string(name), problems);
  } else if (value.is_array()) {
    if (const auto* items = s.if_contains("items")) {
      std::size_t i = 0;
      for (const auto& v : value.as_array())
        check_ids(catalog, *items, v, where + "[" + std::to_string(i++) + "]", problems);
    }
  }
}

std::string argument_list(const CatalogEntry& entry) {
  std::string out;
  for (const auto& [name, section] : entry.section) out += (out.empty() ? "" : ", ") + name;
  return out.empty() ? "none" : out;
}

}  // namespace

std::string bad_id_message(const IdKind& kind, const std::string& where, const json::value& value) {
  std::string msg = where + " " + shown(value) + " is not a valid Crisp " + kind.name;
  if (kind.integer)
    msg += " (expected a positive JSON integer such as " + kind.example + ", not a string or a decimal)";
  else
    msg += " (expected the form " + kind.example + ")";
  msg += "; get a real one from " + kind.source + ", never invent one";
  return msg;
}

PreparedArguments prepare_arguments(const Catalog& catalog, const CatalogEntry& entry, const json::value& args_in,
                                    const std::string& website_id) {
  const std::string tool = "tool " + entry.name + ": ";
  if (!args_in.is_object() && !args_in.is_null())
    throw Error(error::invalid_argument, tool + "arguments must be a JSON object, got " + shown(args_in));
  json::object args = args_in.is_object() ? args_in.as_object() : json::object();

  std::vector<std::string> problems;
  if (args.contains("website_id"))
    problems.push_back("website_id is not an argument: this tool is bound to the configured website " + website_id +
                       "; remove website_id (another website cannot be named)");
  for (const auto& [name, value] : args) {
    if (name == "website_id") continue;
    if (!entry.section.count(std::string_view(name)))
      problems.push_back("unknown argument '" + std::string(name) + "' (the arguments are: " + argument_list(entry) +
                         ")");
  }
  // Defaults, then the identifier checks (most actionable first), then the full schema.
  const json::object& props = entry.parameters.at("properties").as_object();
  for (const auto& [name, prop] : props)
    if (!args.contains(name) && prop.is_object())
      if (const auto* d = prop.as_object().if_contains("default")) args[name] = *d;
  std::vector<std::string> bad_ids;
  for (const auto& [name, value] : args) {
    const std::size_t before = problems.size();
    if (const auto* prop = props.if_contains(name)) check_ids(catalog, *prop, value, std::string(name), problems);
    if (problems.size() != before) bad_ids.push_back("/" + std::string(name));
  }
  if (!entry.one_of_required.empty()) {
    const bool any = std::any_of(entry.one_of_required.begin(), entry.one_of_required.end(),
                                 [&](const std::string& n) { return args.contains(n) && !args.at(n).is_null(); });
    if (!any) {
      std::string names;
      for (const auto& n : entry.one_of_required) names += (names.empty() ? "" : " or ") + n;
      problems.push_back("missing " + names + " (one of them is required)");
    }
  }
  {
    // Unknown arguments and bad ids are already reported above, in more useful words.
    json::object to_check;
    for (const auto& [name, value] : args)
      if (entry.section.count(std::string_view(name))) to_check[name] = value;
    for (const auto& v : entry.schema.validate(to_check)) {
      const bool reported = std::any_of(bad_ids.begin(), bad_ids.end(), [&](const std::string& p) {
        return v.path == p || v.path.rfind(p + "/", 0) == 0;
      });
      if (!reported) problems.push_back(v.to_string());
    }
  }
  if (!entry.body_schema.empty()) {
    if (const auto* min = entry.body_schema.if_contains("minProperties"); min && min->is_int64()) {
      std::int64_t n = 0;
      for (const auto& [name, value] : args)
        if (const auto it = entry.section.find(std::string_view(name));
            it != entry.section.end() && it->second == "body")
          ++n;
      if (n < min->as_int64()) problems.push_back("give at least one field to change");
    }
  }
  if (!problems.empty()) {
    std::string msg = tool + "invalid arguments, nothing was sent: ";
    for (std::size_t i = 0; i < problems.size(); ++i) msg += (i ? "; " : "") + problems[i];
    throw Error(error::invalid_argument, msg);
  }

  PreparedArguments out;
  out.has_body = !entry.body_schema.empty();
  for (const auto& [name, value] : args) {
    const auto it = entry.section.find(std::string_view(name));
    if (it == entry.section.end()) continue;
    if (it->second == "query")
      out.query[name] = value;
    else if (it->second == "body")
      out.body[name] = value;
    out.vars[name] = value;
  }
  out.vars["website_id"] = website_id;
  return out;
}

}  // namespace weft::crisp::detail
