// SPDX-License-Identifier: MIT
// JsonSchema::validate: walks an instance against the compiled SchemaNode graph, collecting every
// violation with the JSON Pointer of the offending value.

#include "nodes/tools/detail/json_compare.hpp"
#include "nodes/tools/detail/schema_node.hpp"
#include "nodes/tools/json_schema.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string_view>

namespace weft {
namespace detail {

namespace json = boost::json;

namespace {

std::string_view kind_name(const json::value& v) noexcept {
  switch (v.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return "boolean";
    case json::kind::string: return "string";
    case json::kind::array: return "array";
    case json::kind::object: return "object";
    default: return "number";
  }
}

std::string type_names(std::uint8_t types) {
  static constexpr std::pair<std::uint8_t, std::string_view> names[] = {
      {type_string, "string"}, {type_integer, "integer"}, {type_number, "number"}, {type_boolean, "boolean"},
      {type_object, "object"}, {type_array, "array"},     {type_null, "null"}};
  std::string out;
  for (const auto& [bit, name] : names) {
    if ((types & bit) == 0) continue;
    if (!out.empty()) out += " or ";
    out += name;
  }
  return out;
}

bool type_matches(std::uint8_t types, const json::value& v) noexcept {
  switch (v.kind()) {
    case json::kind::null: return (types & type_null) != 0;
    case json::kind::bool_: return (types & type_boolean) != 0;
    case json::kind::string: return (types & type_string) != 0;
    case json::kind::array: return (types & type_array) != 0;
    case json::kind::object: return (types & type_object) != 0;
    default: return (types & type_number) != 0 || ((types & type_integer) != 0 && is_integral(v));
  }
}

std::size_t code_points(std::string_view s) noexcept {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string escape_token(std::string_view token) {
  std::string out;
  for (const char c : token) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

// Collects violations into `out`, or, when `out` is null, answers only whether the instance is
// valid and stops at the first violation.
class Validator {
 public:
  explicit Validator(std::vector<SchemaViolation>* out) : out_(out) {}

  bool check(const SchemaNode& node, const json::value& v, int depth) {
    if (depth > kMaxDepth) {
      report("schema recursion too deep (a $ref cycle that consumes no input?)");
      return false;
    }
    if (node.kind == SchemaNode::Kind::accept_all) return true;
    if (node.kind == SchemaNode::Kind::reject_all) {
      report("no value is allowed here");
      return false;
    }
    if (node.types != 0 && !type_matches(node.types, v)) {
      // The other keywords would only repeat the same complaint in other words.
      report("expected " + type_names(node.types) + ", got " + std::string(kind_name(v)));
      return false;
    }
    bool ok = true;
    const auto fail = [&](std::string message) {
      report(std::move(message));
      ok = false;
      return out_ == nullptr;  // stop early when only validity is asked
    };

    if (node.enum_values) {
      const auto& values = *node.enum_values;
      if (std::none_of(values.begin(), values.end(), [&](const json::value& e) { return json_equal(e, v); })) {
        std::string list;
        for (const auto& e : values) list += (list.empty() ? "" : ", ") + json::serialize(e);
        if (fail("must be one of " + list)) return false;
      }
    }
    if (node.const_value && !json_equal(*node.const_value, v)) {
      if (fail("must be " + json::serialize(*node.const_value))) return false;
    }

    if (v.is_string()) {
      const std::string_view s = v.get_string();
      if (node.min_length || node.max_length) {
        const std::size_t length = code_points(s);
        if (node.min_length && length < *node.min_length &&
            fail("must be at least " + std::to_string(*node.min_length) + " characters long (got " +
                 std::to_string(length) + ")"))
          return false;
        if (node.max_length && length > *node.max_length &&
            fail("must be at most " + std::to_string(*node.max_length) + " characters long (got " +
                 std::to_string(length) + ")"))
          return false;
      }
      if (node.pattern && !node.pattern->search(s) && fail("does not match pattern " + node.pattern_source))
        return false;
      if (node.format && !node.format(s) && fail("is not a valid " + node.format_name)) return false;
    } else if (v.is_number()) {
      const long double x = as_long_double(v);
      const std::string got = " (got " + number_text(v) + ")";
      if (node.minimum && x < node.minimum->value && fail("must be >= " + node.minimum->text + got)) return false;
      if (node.maximum && x > node.maximum->value && fail("must be <= " + node.maximum->text + got)) return false;
      if (node.exclusive_minimum && x <= node.exclusive_minimum->value &&
          fail("must be > " + node.exclusive_minimum->text + got))
        return false;
      if (node.exclusive_maximum && x >= node.exclusive_maximum->value &&
          fail("must be < " + node.exclusive_maximum->text + got))
        return false;
      if (node.multiple_of && !is_multiple(v, *node.multiple_of) &&
          fail("must be a multiple of " + number_text(*node.multiple_of) + got))
        return false;
    } else if (v.is_object()) {
      if (!check_object(node, v.get_object(), depth)) {
        ok = false;
        if (out_ == nullptr) return false;
      }
    } else if (v.is_array()) {
      if (!check_array(node, v.get_array(), depth)) {
        ok = false;
        if (out_ == nullptr) return false;
      }
    }

    for (const SchemaNode* sub : node.all_of) {
      if (!check(*sub, v, depth + 1)) {
        ok = false;
        if (out_ == nullptr) return false;
      }
    }
    if (!node.any_of.empty()) {
      std::string reasons;
      if (count_matches(node.any_of, v, depth, 1, reasons) == 0 &&
          fail("does not match any alternative of anyOf (" + reasons + ")"))
        return false;
    }
    if (!node.one_of.empty()) {
      std::string reasons;
      const std::size_t matches = count_matches(node.one_of, v, depth, 2, reasons);
      if (matches == 0 && fail("does not match any alternative of oneOf (" + reasons + ")")) return false;
      if (matches > 1 &&
          fail("matches more than one alternative of oneOf (" + reasons + "); it must match exactly one"))
        return false;
    }
    if (node.not_schema != nullptr) {
      Validator probe(nullptr);
      probe.path_ = path_;
      if (probe.check(*node.not_schema, v, depth + 1) && fail("must not match the schema under 'not'")) return false;
    }
    if (node.ref != nullptr && !check(*node.ref, v, depth + 1)) {
      ok = false;
      if (out_ == nullptr) return false;
    }
    return ok;
  }

 private:
  static constexpr int kMaxDepth = 256;

  void report(std::string message) {
    if (out_ != nullptr) out_->push_back(SchemaViolation{path_, std::move(message)});
  }

  // Validates `v` against each alternative; stops once `enough` match. When none matches,
  // `reasons` lists why each alternative failed; when several match, it names them.
  std::size_t count_matches(const std::vector<const SchemaNode*>& alternatives, const json::value& v, int depth,
                            std::size_t enough, std::string& reasons) {
    std::size_t matches = 0;
    std::string matched;
    for (std::size_t i = 0; i < alternatives.size() && matches < enough; ++i) {
      std::vector<SchemaViolation> why;
      Validator sub(out_ != nullptr ? &why : nullptr);
      sub.path_ = path_;
      if (sub.check(*alternatives[i], v, depth + 1)) {
        ++matches;
        matched += (matched.empty() ? "#" : " and #") + std::to_string(i);
        continue;
      }
      if (out_ == nullptr) continue;
      if (!reasons.empty()) reasons += "; ";
      reasons += "#" + std::to_string(i) + ": ";
      for (std::size_t k = 0; k < why.size(); ++k) {
        if (k > 0) reasons += ", ";
        // Inside the same value the path is noise; a nested one is kept.
        reasons += why[k].path == path_ ? why[k].message : why[k].to_string();
      }
    }
    if (matches > 1) reasons = "matches " + matched;
    return matches;
  }

  bool check_object(const SchemaNode& node, const json::object& object, int depth) {
    bool ok = true;
    for (const std::string& name : node.required) {
      if (object.contains(name)) continue;
      report("missing required property '" + name + "'");
      ok = false;
      if (out_ == nullptr) return false;
    }
    if (node.min_properties && object.size() < *node.min_properties) {
      report("must have at least " + std::to_string(*node.min_properties) + " properties (got " +
             std::to_string(object.size()) + ")");
      ok = false;
      if (out_ == nullptr) return false;
    }
    if (node.max_properties && object.size() > *node.max_properties) {
      report("must have at most " + std::to_string(*node.max_properties) + " properties (got " +
             std::to_string(object.size()) + ")");
      ok = false;
      if (out_ == nullptr) return false;
    }
    for (const auto& member : object) {
      const std::string_view key = member.key();
      const auto found = std::lower_bound(node.properties.begin(), node.properties.end(), key,
                                          [](const auto& p, std::string_view k) { return p.first < k; });
      const SchemaNode* schema = nullptr;
      if (found != node.properties.end() && found->first == key) {
        schema = found->second;
      } else if (node.additional != nullptr) {
        if (node.additional->kind == SchemaNode::Kind::reject_all) {
          report("property '" + std::string(key) + "' is not allowed" + allowed_list(node));
          ok = false;
          if (out_ == nullptr) return false;
          continue;
        }
        schema = node.additional;
      }
      if (schema == nullptr) continue;
      const std::size_t length = path_.size();
      path_ += '/';
      path_ += escape_token(key);
      const bool member_ok = check(*schema, member.value(), depth + 1);
      path_.resize(length);
      if (!member_ok) {
        ok = false;
        if (out_ == nullptr) return false;
      }
    }
    return ok;
  }

  static std::string allowed_list(const SchemaNode& node) {
    if (node.properties.empty()) return " (no properties are allowed)";
    std::string out = " (allowed: ";
    for (std::size_t i = 0; i < node.properties.size(); ++i) out += (i > 0 ? ", " : "") + node.properties[i].first;
    return out + ")";
  }

  bool check_array(const SchemaNode& node, const json::array& items, int depth) {
    bool ok = true;
    if (node.min_items && items.size() < *node.min_items) {
      report("must have at least " + std::to_string(*node.min_items) + " items (got " + std::to_string(items.size()) +
             ")");
      ok = false;
      if (out_ == nullptr) return false;
    }
    if (node.max_items && items.size() > *node.max_items) {
      report("must have at most " + std::to_string(*node.max_items) + " items (got " + std::to_string(items.size()) +
             ")");
      ok = false;
      if (out_ == nullptr) return false;
    }
    if (node.unique_items) {
      for (std::size_t i = 0; i < items.size(); ++i) {
        for (std::size_t j = i + 1; j < items.size(); ++j) {
          if (!json_equal(items[i], items[j])) continue;
          report("items " + std::to_string(i) + " and " + std::to_string(j) + " are equal; items must be unique");
          ok = false;
          if (out_ == nullptr) return false;
        }
      }
    }
    for (std::size_t i = 0; i < items.size(); ++i) {
      const SchemaNode* schema = i < node.prefix_items.size() ? node.prefix_items[i] : node.items;
      if (schema == nullptr) continue;
      const std::size_t length = path_.size();
      path_ += '/';
      path_ += std::to_string(i);
      const bool item_ok = check(*schema, items[i], depth + 1);
      path_.resize(length);
      if (!item_ok) {
        ok = false;
        if (out_ == nullptr) return false;
      }
    }
    return ok;
  }

  std::vector<SchemaViolation>* out_;
  std::string path_;
};

}  // namespace
}  // namespace detail

std::string SchemaViolation::to_string() const { return path.empty() ? message : path + ": " + message; }

std::string to_string(const std::vector<SchemaViolation>& violations) {
  std::string out;
  for (const auto& violation : violations) {
    if (!out.empty()) out += "; ";
    out += violation.to_string();
  }
  return out;
}

std::vector<SchemaViolation> JsonSchema::validate(const boost::json::value& instance) const {
  std::vector<SchemaViolation> violations;
  detail::Validator validator(&violations);
  validator.check(*state_->compiled().root, instance, 0);
  return violations;
}

bool JsonSchema::is_valid(const boost::json::value& instance) const {
  detail::Validator validator(nullptr);
  return validator.check(*state_->compiled().root, instance, 0);
}

}  // namespace weft
