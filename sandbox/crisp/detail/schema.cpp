#include "sandbox/crisp/detail/schema.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <regex>
#include <stdexcept>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "sandbox/crisp/detail/ids.hpp"

namespace weft::sandbox::crisp::detail {
namespace json = boost::json;
namespace {

const std::regex& cached_regex(const std::string& pattern) {
  static std::mutex mutex;
  static std::map<std::string, std::regex> cache;
  const std::lock_guard lock(mutex);
  auto it = cache.find(pattern);
  if (it == cache.end()) it = cache.emplace(pattern, std::regex(pattern, std::regex::ECMAScript)).first;
  return it->second;
}

bool is_identifier(std::string_view key) {
  if (key.empty()) return false;
  for (std::size_t i = 0; i < key.size(); ++i) {
    const char c = key[i];
    const bool ok = c == '_' || c == '$' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9');
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
    static const std::regex re(R"(^[^\s@]+@[^\s@]+\.[^\s@]+$)");
    return std::regex_match(s.begin(), s.end(), re);
  }
  if (format == "date-time") {
    static const std::regex re(R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$)");
    return std::regex_match(s.begin(), s.end(), re);
  }
  if (format == "uri") {
    static const std::regex re(R"(^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s]+$)");
    return std::regex_match(s.begin(), s.end(), re);
  }
  return true;
}

std::string number_text(const json::value& v) { return json::serialize(v); }

void validate(const json::object& schema, const json::value& data, const std::string& path, std::vector<std::string>& out) {
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
    if (const auto* extra = schema.if_contains("additionalProperties"); extra != nullptr && extra->is_bool() && !extra->get_bool()) {
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
    if (const auto* mi = schema.if_contains("minItems"); mi != nullptr && static_cast<double>(arr.size()) < as_number(*mi)) {
      out.push_back(path + " should NOT have fewer than " + number_text(*mi) + " items");
    }
    if (const auto* ma = schema.if_contains("maxItems"); ma != nullptr && static_cast<double>(arr.size()) > as_number(*ma)) {
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
    if (const auto* ml = schema.if_contains("minLength"); ml != nullptr && static_cast<double>(chars) < as_number(*ml)) {
      out.push_back(path + " should NOT be shorter than " + number_text(*ml) + " characters");
    }
    if (const auto* ml = schema.if_contains("maxLength"); ml != nullptr && static_cast<double>(chars) > as_number(*ml)) {
      out.push_back(path + " should NOT be longer than " + number_text(*ml) + " characters");
    }
    if (const auto* pat = schema.if_contains("pattern")) {
      const std::string pattern(pat->as_string());
      if (!std::regex_search(s.begin(), s.end(), cached_regex(pattern))) {
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
