// SPDX-License-Identifier: MIT
#include "sandbox/crisp/detail/schema.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>

#include <re2/re2.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "sandbox/crisp/detail/ids.hpp"

namespace weft::sandbox::crisp::detail {
namespace json = boost::json;
namespace {

// The sandbox's schemas are its own (route_*.cpp), written in the common subset of ECMA-262 and
// RE2 syntax, so they go to RE2 as they are; the text they check is a client's, matched in
// linear time whatever its size (std::regex overflowed the stack on long strings).
const RE2& cached_regex(const std::string& pattern) {
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<const RE2>> cache;
  const std::lock_guard lock(mutex);
  auto it = cache.find(pattern);
  if (it == cache.end()) {
    RE2::Options options;
    options.set_log_errors(false);
    auto re = std::make_unique<const RE2>(pattern, options);
    if (!re->ok()) throw std::logic_error("sandbox schema pattern '" + pattern + "': " + re->error());
    it = cache.emplace(pattern, std::move(re)).first;
  }
  return *it->second;
}

bool is_identifier(std::string_view key) {
  if (key.empty()) return false;
  for (std::size_t i = 0; i < key.size(); ++i) {
    const char c = key[i];
    const bool ok =
        c == '_' || c == '$' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

// AJV 6 (non-JSON-pointer mode) property accessor: ".name" or "['na-me']".
std::string accessor(std::string_view key) {
  if (is_identifier(key)) return "." + std::string(key);
  return "['" + std::string(key) + "']";
}

bool is_integral(const json::value& v) {
  if (v.is_int64() || v.is_uint64()) return true;
  if (v.is_double()) {
    const double d = v.get_double();
    return std::isfinite(d) && std::floor(d) == d;
  }
  return false;
}

double as_number(const json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  return v.get_double();
}

bool has_type(const json::value& v, std::string_view type) {
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "string") return v.is_string();
  if (type == "boolean") return v.is_bool();
  if (type == "null") return v.is_null();
  if (type == "number") return v.is_number();
  if (type == "integer") return is_integral(v);
  return false;
}

bool check_format(std::string_view format, std::string_view s) {
  if (format == "uuid") return is_uuid(s);
  if (format == "email") {
    static const RE2 re(R"(^[^\s@]+@[^\s@]+\.[^\s@]+$)");
    return RE2::FullMatch(s, re);
  }
  if (format == "date-time") {
    static const RE2 re(R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$)");
    return RE2::FullMatch(s, re);
  }
  if (format == "uri") {
    static const RE2 re(R"(^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s]+$)");
    return RE2::FullMatch(s, re);
  }
  return true;
}

std::string number_text(const json::value& v) { return json::serialize(v); }

void validate(const json::object& schema, const json::value& data, const std::string& path,
              std::vector<std::string>& out) {
  if (const auto* type = schema.if_contains("type")) {
    bool ok = false;
    std::string names;
    if (type->is_string()) {
      ok = has_type(data, type->get_string());
      names = std::string(type->get_string());
    } else {
      for (const auto& t : type->as_array()) {
        ok = ok || has_type(data, t.as_string());
        if (!names.empty()) names += ",";
        names += std::string(t.as_string());
      }
    }
    if (!ok) {
      out.push_back(path + " should be " + names);
      return;
    }
  }
  if (const auto* en = schema.if_contains("enum")) {
    bool found = false;
    for (const auto& candidate : en->as_array()) found = found || candidate == data;
    if (!found) out.push_back(path + " should be equal to one of the allowed values");
  }
  if (data.is_object()) {
    const auto& obj = data.get_object();
    if (const auto* req = schema.if_contains("required")) {
      for (const auto& key : req->as_array()) {
        if (!obj.contains(key.as_string())) {
          out.push_back(path + " should have required property '" + accessor(key.as_string()) + "'");
        }
      }
    }
    const auto* props = schema.if_contains("properties");
    if (props != nullptr) {
      for (const auto& [key, sub] : props->as_object()) {
        if (const auto* child = obj.if_contains(key)) validate(sub.as_object(), *child, path + accessor(key), out);
      }
    }
    if (const auto* extra = schema.if_contains("additionalProperties");
        extra != nullptr && extra->is_bool() && !extra->get_bool()) {
      for (const auto& [key, value] : obj) {
        (void)value;
        if (props == nullptr || !props->as_object().contains(key)) {
          out.push_back(path + " should NOT have additional properties");
          break;
        }
      }
    }
  }
  if (data.is_array()) {
    const auto& arr = data.get_array();
    if (const auto* mi = schema.if_contains("minItems");
        mi != nullptr && static_cast<double>(arr.size()) < as_number(*mi)) {
      out.push_back(path + " should NOT have fewer than " + number_text(*mi) + " items");
    }
    if (const auto* ma = schema.if_contains("maxItems");
        ma != nullptr && static_cast<double>(arr.size()) > as_number(*ma)) {
      out.push_back(path + " should NOT have more than " + number_text(*ma) + " items");
    }
    if (const auto* items = schema.if_contains("items")) {
      for (std::size_t i = 0; i < arr.size(); ++i) {
        validate(items->as_object(), arr[i], path + "[" + std::to_string(i) + "]", out);
      }
    }
  }
  if (data.is_string()) {
    const auto& s = data.get_string();
    // AJV counts characters (code points), not bytes.
    std::size_t chars = 0;
    for (const char c : s) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
    if (const auto* ml = schema.if_contains("minLength");
        ml != nullptr && static_cast<double>(chars) < as_number(*ml)) {
      out.push_back(path + " should NOT be shorter than " + number_text(*ml) + " characters");
    }
    if (const auto* ml = schema.if_contains("maxLength");
        ml != nullptr && static_cast<double>(chars) > as_number(*ml)) {
      out.push_back(path + " should NOT be longer than " + number_text(*ml) + " characters");
    }
    if (const auto* pat = schema.if_contains("pattern")) {
      const std::string pattern(pat->as_string());
      if (!RE2::PartialMatch(std::string_view(s), cached_regex(pattern))) {
        out.push_back(path + " should match pattern \"" + pattern + "\"");
      }
    }
    if (const auto* fmt = schema.if_contains("format"); fmt != nullptr && !check_format(fmt->as_string(), s)) {
      out.push_back(path + " should match format \"" + std::string(fmt->as_string()) + "\"");
    }
  }
  if (data.is_number()) {
    if (const auto* mn = schema.if_contains("minimum"); mn != nullptr && as_number(data) < as_number(*mn)) {
      out.push_back(path + " should be >= " + number_text(*mn));
    }
    if (const auto* mx = schema.if_contains("maximum"); mx != nullptr && as_number(data) > as_number(*mx)) {
      out.push_back(path + " should be <= " + number_text(*mx));
    }
  }
  if (const auto* any = schema.if_contains("anyOf")) {
    std::vector<std::string> branch_errors;
    bool matched = false;
    for (const auto& branch : any->as_array()) {
      std::vector<std::string> errs;
      validate(branch.as_object(), data, path, errs);
      if (errs.empty()) {
        matched = true;
        break;
      }
      branch_errors.insert(branch_errors.end(), errs.begin(), errs.end());
    }
    if (!matched) {
      out.insert(out.end(), branch_errors.begin(), branch_errors.end());
      out.push_back(path + " should match some schema in anyOf");
    }
  }
}

}  // namespace

Schema::Schema(std::string_view json_text) : schema_(json::parse(json_text)) {
  if (!schema_.is_object()) throw std::invalid_argument("schema must be a JSON object");
}

std::vector<std::string> Schema::errors(const json::value& data) const {
  std::vector<std::string> out;
  validate(schema_.get_object(), data, "data", out);
  return out;
}

std::string Schema::message(const json::value& data) const {
  std::string joined;
  std::vector<std::string> seen;
  for (const auto& e : errors(data)) {
    // AJV repeats a message once per anyOf branch; keep the first of each.
    if (std::find(seen.begin(), seen.end(), e) != seen.end()) continue;
    seen.push_back(e);
    if (!joined.empty()) joined += ", ";
    joined += e;
  }
  return joined;
}

}  // namespace weft::sandbox::crisp::detail
