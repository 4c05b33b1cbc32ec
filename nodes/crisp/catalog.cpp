// SPDX-License-Identifier: MIT
#include "nodes/crisp/catalog.hpp"

#include "nodes/crisp/detail/id_pattern.hpp"
#include "nodes/crisp/detail/path_template.hpp"
#include "nodes/crisp/error.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <set>
#include <stdexcept>

namespace weft::crisp {
namespace json = boost::json;
namespace {

[[noreturn]] void bad(const std::string& where, const std::string& what) {
  throw Error(error::invalid_catalog, "Crisp catalog: " + where + ": " + what);
}

std::string str(const json::object& o, std::string_view key, const std::string& where, bool required) {
  const json::value* v = o.if_contains(key);
  if (!v || v->is_null()) {
    if (required) bad(where, "missing string '" + std::string(key) + "'");
    return {};
  }
  if (!v->is_string()) bad(where, "'" + std::string(key) + "' must be a string");
  return std::string(v->as_string());
}

std::vector<std::string> strings(const json::object& o, std::string_view key, const std::string& where) {
  std::vector<std::string> out;
  const json::value* v = o.if_contains(key);
  if (!v) return out;
  if (!v->is_array()) bad(where, "'" + std::string(key) + "' must be an array of strings");
  for (const auto& item : v->as_array()) {
    if (!item.is_string()) bad(where, "'" + std::string(key) + "' must be an array of strings");
    out.emplace_back(item.as_string());
  }
  return out;
}

json::object schema_of(const json::object& o, std::string_view key, const std::string& where) {
  const json::value* v = o.if_contains(key);
  if (!v || v->is_null()) return {};
  if (!v->is_object()) bad(where, "'" + std::string(key) + "' must be a JSON Schema object");
  const json::object& s = v->as_object();
  if (const auto* t = s.if_contains("type"); !t || !t->is_string() || t->as_string() != "object")
    bad(where, "'" + std::string(key) + "' must have type object");
  return s;
}

bool known_method(std::string_view m) {
  return m == "GET" || m == "POST" || m == "PUT" || m == "PATCH" || m == "DELETE" || m == "HEAD";
}

// Adds the id kind's pattern (or integer bounds) and "where to get it" to every property marked
// x-crisp-id, recursively (nested objects, array items), so the model sees the format.
void inject_ids(json::value& schema, const std::map<std::string, IdKind, std::less<>>& kinds,
                const std::string& where) {
  if (!schema.is_object()) return;
  json::object& s = schema.as_object();
  if (const auto* id = s.if_contains("x-crisp-id")) {
    if (!id->is_string()) bad(where, "x-crisp-id must be a string");
    const auto it = kinds.find(std::string_view(id->as_string()));
    if (it == kinds.end()) bad(where, "unknown id kind '" + std::string(id->as_string()) + "'");
    const IdKind& kind = it->second;
    if (kind.integer) {
      if (!s.contains("minimum")) s["minimum"] = kind.minimum;
    } else {
      if (!s.contains("pattern")) s["pattern"] = kind.pattern;
      if (kind.max_length > 0 && !s.contains("maxLength")) s["maxLength"] = kind.max_length;
    }
    std::string desc = s.contains("description") && s["description"].is_string()
                           ? std::string(s["description"].as_string()) + " "
                           : std::string();
    desc += "Format like " + kind.example + "; get it from " + kind.source + ". Never invent one.";
    s["description"] = desc;
  }
  if (auto* props = s.if_contains("properties"); props && props->is_object())
    for (auto& [name, sub] : props->as_object()) inject_ids(sub, kinds, where + "/" + std::string(name));
  if (auto* items = s.if_contains("items")) inject_ids(*items, kinds, where + "/items");
}

RouteStep parse_step(const json::value& v, const std::string& where) {
  if (!v.is_object()) bad(where, "a route step must be an object");
  const json::object& o = v.as_object();
  RouteStep step;
  step.method = str(o, "method", where, false);
  step.path = str(o, "path", where, false);
  if (!step.method.empty() && !known_method(step.method)) bad(where, "unknown method " + step.method);
  if (!step.method.empty() && step.path.empty()) bad(where, "a request step needs a path");
  if (!step.path.empty()) {
    try {
      detail::PathTemplate::parse(step.path);
    } catch (const std::exception& e) {
      bad(where, e.what());
    }
  }
  if (const auto* q = o.if_contains("query")) step.query = *q;
  if (const auto* b = o.if_contains("body")) step.body = *b;
  step.when = strings(o, "when", where);
  step.unless = strings(o, "unless", where);
  step.requires_ = strings(o, "requires", where);
  if (const auto* c = o.if_contains("capture")) {
    if (!c->is_object()) bad(where, "capture must map variables to response fields");
    for (const auto& [var, field] : c->as_object()) {
      if (!field.is_string()) bad(where, "capture must map variables to response fields");
      step.capture.emplace_back(std::string(var), std::string(field.as_string()));
    }
  }
  if (const auto* d = o.if_contains("derive")) {
    if (!d->is_object()) bad(where, "derive must be an object");
    step.derive = d->as_object();
  }
  if (const auto* c = o.if_contains("check")) step.check = *c;
  step.once = o.contains("once") && o.at("once").is_bool() && o.at("once").as_bool();
  step.optional = o.contains("optional") && o.at("optional").is_bool() && o.at("optional").as_bool();
  step.result = o.contains("result") && o.at("result").is_bool() && o.at("result").as_bool();
  step.transform = str(o, "transform", where, false);
  if (!step.transform.empty() && step.transform != "flatten_tree") bad(where, "unknown transform " + step.transform);
  if (step.method.empty() && step.derive.empty()) bad(where, "a step needs a method or a derive");
  return step;
}

CatalogEntry parse_entry(const json::value& v, std::size_t index,
                         const std::map<std::string, IdKind, std::less<>>& kinds, bool lazy_schemas) {
  std::string where = "tools[" + std::to_string(index) + "]";
  if (!v.is_object()) bad(where, "must be an object");
  const json::object& o = v.as_object();
  CatalogEntry e;
  e.name = str(o, "name", where, true);
  where += " '" + e.name + "'";
  e.description = str(o, "description", where, true);
  e.method = str(o, "method", where, true);
  e.path = str(o, "path", where, true);
  if (!known_method(e.method)) bad(where, "unknown method " + e.method);
  if (e.name.empty() || e.name.size() > 64) bad(where, "name must have 1 to 64 characters");
  for (char c : e.name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'))
      bad(where, "name may only use letters, digits, _ and - (OpenAI function names)");
  e.path_schema = schema_of(o, "path_schema", where);
  e.query_schema = schema_of(o, "query_schema", where);
  e.body_schema = schema_of(o, "body_schema", where);
  if (!o.contains("side_effecting") || !o.at("side_effecting").is_bool())
    bad(where, "side_effecting must be a boolean");
  e.side_effecting = o.at("side_effecting").as_bool();
  e.pagination = o.contains("pagination") && o.at("pagination").is_object()
                     ? str(o.at("pagination").as_object(), "kind", where, true)
                     : std::string();

  // Effect strategy.
  if (!o.contains("effect") || !o.at("effect").is_object()) bad(where, "missing effect object");
  const json::object& effect = o.at("effect").as_object();
  const std::string kind = str(effect, "kind", where, true);
  if (kind == "read")
    e.effect = EffectKind::read;
  else if (kind == "idempotent")
    e.effect = EffectKind::idempotent;
  else if (kind == "check")
    e.effect = EffectKind::check;
  else if (kind == "journal_only")
    e.effect = EffectKind::journal_only;
  else
    bad(where, "effect.kind must be read, idempotent, check or journal_only");
  if ((e.effect == EffectKind::read) == e.side_effecting)
    bad(where, "side_effecting must be false exactly when effect.kind is read");
  if (e.effect == EffectKind::check) {
    if (!effect.contains("check") || !effect.at("check").is_object()) bad(where, "effect.check missing");
    e.check = effect.at("check");
  }
  if (e.effect == EffectKind::journal_only) {
    const std::string in_doubt = str(effect, "in_doubt", where, true);
    if (in_doubt != "rerun" && in_doubt != "fail") bad(where, "effect.in_doubt must be rerun or fail");
    e.in_doubt_rerun = in_doubt == "rerun";
  }
  e.effect_why = str(effect, "why", where, false);

  // Arguments: merged, each name in exactly one section; website_id never an argument.
  json::object properties;
  json::array required;
  std::set<std::string> required_seen;
  for (const auto& [section, schema] : {std::pair<const char*, const json::object*>{"path", &e.path_schema},
                                        {"query", &e.query_schema},
                                        {"body", &e.body_schema}}) {
    if (schema->empty()) continue;
    if (const auto* props = schema->if_contains("properties")) {
      if (!props->is_object()) bad(where, std::string(section) + "_schema.properties must be an object");
      for (const auto& [name, prop] : props->as_object()) {
        if (name == "website_id") bad(where, "website_id is filled by the binding; it cannot be an argument");
        if (prop.is_object() && prop.as_object().contains("x-binding")) {
          if (std::string_view(section) != "body") bad(where, "only body properties may be bound");
          e.bound.emplace_back(name);
          continue;
        }
        if (e.section.count(std::string_view(name)))
          bad(where, "argument '" + std::string(name) + "' appears in two sections");
        e.section.emplace(std::string(name), section);
        json::value copy = prop;
        inject_ids(copy, kinds, where + " " + section + "_schema/" + std::string(name));
        properties[name] = std::move(copy);
      }
    }
    if (const auto* req = schema->if_contains("required")) {
      if (!req->is_array()) bad(where, std::string(section) + "_schema.required must be an array");
      for (const auto& r : req->as_array()) {
        if (!r.is_string()) bad(where, "required must list names");
        const std::string name(r.as_string());
        if (!properties.contains(name) && std::find(e.bound.begin(), e.bound.end(), name) == e.bound.end())
          bad(where, "required '" + name + "' is not a property");
        if (required_seen.insert(name).second) required.emplace_back(name);
      }
    }
    if (std::string_view(section) == "path") e.one_of_required = strings(*schema, "x-one-of-required", where);
  }
  for (const auto& name : e.one_of_required)
    if (!properties.contains(name)) bad(where, "x-one-of-required names unknown '" + name + "'");

  // Nested objects of the body keep their own additionalProperties; the top level is closed so a
  // hallucinated argument (or website_id) is rejected rather than ignored.
  e.parameters["type"] = "object";
  e.parameters["properties"] = std::move(properties);
  if (!required.empty()) e.parameters["required"] = std::move(required);
  e.parameters["additionalProperties"] = false;
  if (const auto* min = e.body_schema.if_contains("minProperties")) e.parameters["x-body-min-properties"] = *min;
  if (lazy_schemas) {
    e.schema = JsonSchema::lazy(json::value(e.parameters));
  } else {
    try {
      e.schema = JsonSchema::compile(e.parameters);
    } catch (const std::exception& ex) {
      bad(where, std::string("parameters schema: ") + ex.what());
    }
  }

  // Path variables must be the binding's or a path argument.
  auto check_path = [&](const std::string& path, const std::string& at, const std::set<std::string>& extra) {
    detail::PathTemplate t;
    try {
      t = detail::PathTemplate::parse(path);
    } catch (const std::exception& ex) {
      bad(at, ex.what());
    }
    for (const auto& var : t.variables())
      if (var != "website_id" && !e.section.count(var) && !extra.count(var))
        bad(at, "path variable {" + var + "} is neither website_id nor an argument");
  };
  if (o.contains("routes")) {
    if (!o.at("routes").is_object()) bad(where, "routes must be an object");
    for (const auto& [family, steps] : o.at("routes").as_object()) {
      RouteFamily f;
      if (family == "legacy")
        f = RouteFamily::legacy;
      else if (family == "tree")
        f = RouteFamily::tree;
      else
        bad(where, "routes may only have legacy and tree");
      if (!steps.is_array() || steps.as_array().empty())
        bad(where, "routes." + std::string(family) + " must list steps");
      std::set<std::string> produced;
      std::vector<RouteStep> parsed;
      for (std::size_t i = 0; i < steps.as_array().size(); ++i) {
        const std::string at = where + " routes." + std::string(family) + "[" + std::to_string(i) + "]";
        RouteStep step = parse_step(steps.as_array()[i], at);
        if (!step.path.empty()) check_path(step.path, at, produced);
        for (const auto& [var, field] : step.capture) produced.insert(var);
        for (const auto& [var, fn] : step.derive) produced.insert(std::string(var));
        parsed.push_back(std::move(step));
      }
      e.routes.emplace(f, std::move(parsed));
    }
    if (e.routes.size() != 2) bad(where, "routes must give both the legacy and the tree family");
    if (const auto* r = o.if_contains("result")) e.result = *r;
  } else {
    check_path(e.path, where, {});
  }
  return e;
}

}  // namespace

bool IdKind::matches(const std::string& text) const {
  // The length first: a model's megabyte-long "id" is refused without reading it all.
  if (max_length > 0) {
    std::size_t chars = 0;
    for (const char c : text)
      if ((static_cast<unsigned char>(c) & 0xC0) != 0x80 && ++chars > max_length) return false;
  }
  return compiled && compiled->matches(text);
}

std::string_view to_string(RouteFamily family) noexcept { return family == RouteFamily::tree ? "tree" : "legacy"; }

Catalog Catalog::parse(std::string_view json_text) { return parse(json_text, false); }

Catalog Catalog::parse(std::string_view json_text, bool lazy_schemas) {
  json::value doc;
  try {
    doc = json::parse(json_text);
  } catch (const std::exception& e) {
    bad("document", std::string("not JSON: ") + e.what());
  }
  if (!doc.is_object()) bad("document", "must be an object");
  const json::object& root = doc.as_object();
  if (str(root, "format", "document", true) != "weft-crisp-catalog/1")
    bad("document", "format must be weft-crisp-catalog/1");

  auto kinds = std::make_shared<std::map<std::string, IdKind, std::less<>>>();
  if (const auto* ids = root.if_contains("id_kinds"); ids && ids->is_object()) {
    for (const auto& [name, spec] : ids->as_object()) {
      const std::string where = "id_kinds." + std::string(name);
      if (!spec.is_object()) bad(where, "must be an object");
      const json::object& s = spec.as_object();
      IdKind kind;
      kind.name = std::string(name);
      kind.integer = s.contains("integer") && s.at("integer").is_bool() && s.at("integer").as_bool();
      kind.pattern = str(s, "pattern", where, !kind.integer);
      if (const auto* m = s.if_contains("minimum"); m && m->is_int64()) kind.minimum = m->as_int64();
      if (const auto* m = s.if_contains("max_length")) {
        if (!m->is_int64() || m->as_int64() < 1) bad(where, "max_length must be a positive integer");
        kind.max_length = static_cast<std::size_t>(m->as_int64());
      }
      kind.example = str(s, "example", where, true);
      kind.source = str(s, "source", where, true);
      if (!kind.integer) {
        auto compiled = std::make_shared<detail::IdPattern>(kind.pattern);
        if (!lazy_schemas) {
          try {
            compiled->compile();
          } catch (const std::invalid_argument& e) {
            bad(where, std::string("bad pattern: ") + e.what());
          }
        }
        kind.compiled = std::move(compiled);
      }
      kinds->emplace(kind.name, std::move(kind));
    }
  }

  auto entries = std::make_shared<std::vector<CatalogEntry>>();
  const json::value* tools = root.if_contains("tools");
  if (!tools || !tools->is_array()) bad("document", "missing tools array");
  std::set<std::string> names;
  for (std::size_t i = 0; i < tools->as_array().size(); ++i) {
    CatalogEntry e = parse_entry(tools->as_array()[i], i, *kinds, lazy_schemas);
    if (!names.insert(e.name).second) bad("tools[" + std::to_string(i) + "]", "duplicate name " + e.name);
    entries->push_back(std::move(e));
  }
  Catalog catalog;
  catalog.entries_ = std::move(entries);
  catalog.id_kinds_ = std::move(kinds);
  return catalog;
}

const Catalog& Catalog::builtin() {
  // Lazy schemas: a command uses a few of the tools, and compiling every schema's patterns cost
  // about 20 ms at each start. The compiled-in text is parsed eagerly by tests/crisp/catalog_test,
  // so a schema that does not compile fails there, not in a user's run.
  static const Catalog catalog = parse(builtin_catalog_json(), true);
  return catalog;
}

const CatalogEntry* Catalog::find(std::string_view name) const noexcept {
  for (const auto& e : *entries_)
    if (e.name == name) return &e;
  return nullptr;
}

const IdKind* Catalog::id_kind(std::string_view name) const noexcept {
  const auto it = id_kinds_->find(name);
  return it == id_kinds_->end() ? nullptr : &it->second;
}

}  // namespace weft::crisp
