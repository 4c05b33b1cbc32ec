// SPDX-License-Identifier: MIT
// JsonSchema::compile: turns a schema document into the SchemaNode graph of detail/schema_node.hpp,
// checking every keyword's value so that validation never meets a malformed schema.

#include "nodes/tools/detail/json_compare.hpp"
#include "nodes/tools/detail/schema_node.hpp"
#include "nodes/tools/error.hpp"
#include "nodes/tools/formats.hpp"
#include "nodes/tools/json_schema.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace weft {
namespace {

namespace json = boost::json;
using detail::CompiledSchemaDoc;
using detail::SchemaNode;

[[noreturn]] void fail(const std::string& pointer, const std::string& what) {
  throw Error(tools::error::invalid_schema,
              "schema " + (pointer.empty() ? std::string("(root)") : pointer) + ": " + what);
}

std::string escape_token(std::string_view token) {
  std::string out;
  out.reserve(token.size());
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

// Keywords that only annotate; they never change whether an instance is valid.
bool is_annotation(std::string_view key) {
  static const std::set<std::string_view> keys{"$schema",         "$id",           "$comment",  "title",
                                               "description",     "default",       "examples",  "example",
                                               "deprecated",      "readOnly",      "writeOnly", "contentMediaType",
                                               "contentEncoding", "contentSchema", "strict"};
  return keys.contains(key);
}

// Standard validation keywords this implementation does not evaluate: refusing them is safer
// than skipping the check they ask for.
bool is_unsupported(std::string_view key) {
  static const std::set<std::string_view> keys{"if",
                                               "then",
                                               "else",
                                               "patternProperties",
                                               "propertyNames",
                                               "contains",
                                               "minContains",
                                               "maxContains",
                                               "dependentRequired",
                                               "dependentSchemas",
                                               "dependencies",
                                               "unevaluatedProperties",
                                               "unevaluatedItems",
                                               "additionalItems",
                                               "$anchor",
                                               "$dynamicRef",
                                               "$dynamicAnchor",
                                               "$recursiveRef",
                                               "$recursiveAnchor",
                                               "$vocabulary"};
  return keys.contains(key);
}

std::uint8_t type_bit(std::string_view name) {
  if (name == "null") return detail::type_null;
  if (name == "boolean") return detail::type_boolean;
  if (name == "integer") return detail::type_integer;
  if (name == "number") return detail::type_number;
  if (name == "string") return detail::type_string;
  if (name == "array") return detail::type_array;
  if (name == "object") return detail::type_object;
  return 0;
}

// "%24defs" -> "$defs": a $ref is a URI fragment, so it may be percent-encoded.
std::string percent_decode(std::string_view text, const std::string& where) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) fail(where, "bad percent-encoding in $ref");
    const std::string hex(text.substr(i + 1, 2));
    char* end = nullptr;
    const long byte = std::strtol(hex.c_str(), &end, 16);
    if (end != hex.c_str() + 2) fail(where, "bad percent-encoding in $ref");
    out += static_cast<char>(byte);
    i += 2;
  }
  return out;
}

class Compiler {
 public:
  Compiler(CompiledSchemaDoc& doc, const json::value& source, const SchemaOptions& options)
      : doc_(doc), source_(source), options_(options) {}

  // Compiles the schema at `pointer` of the document (memoised, so $ref cycles terminate).
  const SchemaNode* compile(const json::value& schema, const std::string& pointer) {
    if (const auto found = by_pointer_.find(pointer); found != by_pointer_.end()) return found->second;
    SchemaNode& node = doc_.nodes.emplace_back();
    by_pointer_.emplace(pointer, &node);
    if (schema.is_bool()) {
      node.kind = schema.get_bool() ? SchemaNode::Kind::accept_all : SchemaNode::Kind::reject_all;
      return &node;
    }
    if (!schema.is_object()) fail(pointer, "a schema must be an object or a boolean");
    for (const auto& member : schema.get_object()) keyword(node, member.key(), member.value(), pointer);
    std::sort(node.properties.begin(), node.properties.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    return &node;
  }

  // Links every $ref to its target, compiling targets not reached otherwise.
  void resolve_refs() {
    while (!pending_refs_.empty()) {
      auto [node, target, where] = std::move(pending_refs_.back());
      pending_refs_.pop_back();
      const auto found = by_pointer_.find(target);
      if (found != by_pointer_.end()) {
        node->ref = found->second;
        continue;
      }
      std::error_code ec;
      const json::value* resolved = source_.find_pointer(target, ec);
      if (resolved == nullptr) fail(where, "$ref target '#" + target + "' does not exist");
      node->ref = compile(*resolved, target);
    }
  }

 private:
  void keyword(SchemaNode& node, std::string_view key, const json::value& value, const std::string& pointer) {
    const std::string where = pointer + "/" + escape_token(key);
    if (key == "type") {
      node.types = types(value, where);
    } else if (key == "properties") {
      for (const auto& member : object(value, where))
        node.properties.emplace_back(std::string(member.key()),
                                     compile(member.value(), where + "/" + escape_token(member.key())));
    } else if (key == "required") {
      for (const auto& name : array(value, where)) {
        if (!name.is_string()) fail(where, "must be an array of strings");
        node.required.emplace_back(name.get_string());
      }
    } else if (key == "additionalProperties") {
      node.additional = compile(value, where);
    } else if (key == "minProperties") {
      node.min_properties = count(value, where);
    } else if (key == "maxProperties") {
      node.max_properties = count(value, where);
    } else if (key == "items") {
      if (value.is_array()) fail(where, "must be a schema (draft 2020-12); use prefixItems for tuples");
      node.items = compile(value, where);
    } else if (key == "prefixItems") {
      node.prefix_items = schemas(value, where);
    } else if (key == "minItems") {
      node.min_items = count(value, where);
    } else if (key == "maxItems") {
      node.max_items = count(value, where);
    } else if (key == "uniqueItems") {
      if (!value.is_bool()) fail(where, "must be a boolean");
      node.unique_items = value.get_bool();
    } else if (key == "enum") {
      if (array(value, where).empty()) fail(where, "must not be empty");
      node.enum_values = value.get_array();
    } else if (key == "const") {
      node.const_value = value;
    } else if (key == "minLength") {
      node.min_length = count(value, where);
    } else if (key == "maxLength") {
      node.max_length = count(value, where);
    } else if (key == "pattern") {
      if (!value.is_string()) fail(where, "must be a string");
      node.pattern_source = value.get_string();
      try {
        node.pattern = std::make_shared<const detail::EcmaRegex>(node.pattern_source);
      } catch (const std::invalid_argument& e) {
        fail(where, "invalid regular expression '" + node.pattern_source + "': " + e.what());
      }
    } else if (key == "format") {
      format(node, value, where);
    } else if (key == "minimum") {
      node.minimum = bound(value, where);
    } else if (key == "maximum") {
      node.maximum = bound(value, where);
    } else if (key == "exclusiveMinimum") {
      node.exclusive_minimum = bound(value, where);
    } else if (key == "exclusiveMaximum") {
      node.exclusive_maximum = bound(value, where);
    } else if (key == "multipleOf") {
      if (!value.is_number() || value.to_number<double>() <= 0) fail(where, "must be a number greater than 0");
      node.multiple_of = value;
    } else if (key == "allOf") {
      node.all_of = schemas(value, where);
    } else if (key == "anyOf") {
      node.any_of = schemas(value, where);
    } else if (key == "oneOf") {
      node.one_of = schemas(value, where);
    } else if (key == "not") {
      node.not_schema = compile(value, where);
    } else if (key == "$ref") {
      if (!value.is_string() || !value.get_string().starts_with("#"))
        fail(where, "only local references ('#', '#/$defs/name') are supported");
      const std::string_view fragment = std::string_view(value.get_string()).substr(1);
      pending_refs_.push_back({&node, percent_decode(fragment, where), where});
    } else if (key == "$defs" || key == "definitions") {
      for (const auto& member : object(value, where)) compile(member.value(), where + "/" + escape_token(member.key()));
    } else if (key == "nullable") {
      fail(where, "'nullable' is OpenAPI 3.0, not JSON Schema; write \"type\": [\"string\", \"null\"]");
    } else if (is_unsupported(key)) {
      fail(where, "keyword '" + std::string(key) + "' is not supported by Weft's validator");
    } else if (!is_annotation(key) && !key.starts_with("x-")) {
      fail(where, "unknown keyword '" + std::string(key) + "'");
    }
  }

  std::uint8_t types(const json::value& value, const std::string& where) {
    if (value.is_string()) {
      const std::uint8_t bit = type_bit(value.get_string());
      if (bit == 0) fail(where, "unknown type '" + std::string(value.get_string()) + "'");
      return bit;
    }
    if (!value.is_array()) fail(where, "must be a type name or an array of type names");
    std::uint8_t bits = 0;
    for (const auto& name : value.get_array()) {
      if (!name.is_string()) fail(where, "must be a type name or an array of type names");
      const std::uint8_t bit = type_bit(name.get_string());
      if (bit == 0) fail(where, "unknown type '" + std::string(name.get_string()) + "'");
      bits |= bit;
    }
    if (bits == 0) fail(where, "must name at least one type");
    return bits;
  }

  void format(SchemaNode& node, const json::value& value, const std::string& where) {
    if (!value.is_string()) fail(where, "must be a string");
    node.format_name = value.get_string();
    if (const auto custom = options_.formats.find(node.format_name); custom != options_.formats.end()) {
      node.format = custom->second;
    } else if (const FormatChecker* builtin = formats::builtin(node.format_name)) {
      node.format = *builtin;
    } else {
      fail(where, "unknown format '" + node.format_name + "' (register it in SchemaOptions::formats)");
    }
  }

  std::vector<const SchemaNode*> schemas(const json::value& value, const std::string& where) {
    const json::array& items = array(value, where);
    if (items.empty()) fail(where, "must be a non-empty array of schemas");
    std::vector<const SchemaNode*> out;
    for (std::size_t i = 0; i < items.size(); ++i) out.push_back(compile(items[i], where + "/" + std::to_string(i)));
    return out;
  }

  static const json::object& object(const json::value& value, const std::string& where) {
    if (!value.is_object()) fail(where, "must be an object");
    return value.get_object();
  }

  static const json::array& array(const json::value& value, const std::string& where) {
    if (!value.is_array()) fail(where, "must be an array");
    return value.get_array();
  }

  static std::size_t count(const json::value& value, const std::string& where) {
    if (value.is_int64() && value.get_int64() >= 0) return static_cast<std::size_t>(value.get_int64());
    if (value.is_uint64()) return static_cast<std::size_t>(value.get_uint64());
    if (value.is_double() && value.get_double() >= 0 && std::floor(value.get_double()) == value.get_double())
      return static_cast<std::size_t>(value.get_double());
    fail(where, "must be a non-negative integer");
  }

  static SchemaNode::Bound bound(const json::value& value, const std::string& where) {
    if (!value.is_number()) fail(where, "must be a number");
    SchemaNode::Bound out;
    if (value.is_int64())
      out.value = static_cast<long double>(value.get_int64());
    else if (value.is_uint64())
      out.value = static_cast<long double>(value.get_uint64());
    else
      out.value = value.get_double();
    out.text = detail::number_text(value);
    return out;
  }

  struct PendingRef {
    SchemaNode* node;
    std::string target;  // JSON pointer into the document
    std::string where;   // the $ref's own location, for errors
  };

  CompiledSchemaDoc& doc_;
  const json::value& source_;  // the whole document, for $ref targets
  const SchemaOptions& options_;
  std::map<std::string, const SchemaNode*, std::less<>> by_pointer_;
  std::vector<PendingRef> pending_refs_;
};

}  // namespace

namespace detail {

std::shared_ptr<const CompiledSchemaDoc> compile_document(const json::value& source, const SchemaOptions& options) {
  auto doc = std::make_shared<CompiledSchemaDoc>();
  Compiler compiler(*doc, source, options);
  doc->root = compiler.compile(source, "");
  compiler.resolve_refs();
  return doc;
}

const CompiledSchemaDoc& SchemaState::compiled() {
  std::call_once(once, [this] {
    // Kept rather than thrown: call_once would retry a throwing compilation on every call.
    try {
      doc = compile_document(source, options);
    } catch (...) {
      error = std::current_exception();
    }
    options = {};
  });
  if (error) std::rethrow_exception(error);
  return *doc;
}

}  // namespace detail

// A lazy `true`: default-constructed handles (members of catalog entries) cost no compilation.
JsonSchema::JsonSchema() : JsonSchema(JsonSchema::lazy(json::value(true))) {}

JsonSchema::JsonSchema(std::shared_ptr<detail::SchemaState> state) : state_(std::move(state)) {}

JsonSchema JsonSchema::compile(const json::value& schema, const SchemaOptions& options) {
  auto state = std::make_shared<detail::SchemaState>();
  state->source = schema;
  // Throws out of call_once (which then stays unset) for a schema that does not compile.
  std::call_once(state->once, [&] { state->doc = detail::compile_document(state->source, options); });
  return JsonSchema(std::move(state));
}

JsonSchema JsonSchema::lazy(json::value schema, SchemaOptions options) {
  auto state = std::make_shared<detail::SchemaState>();
  state->source = std::move(schema);
  state->options = std::move(options);
  return JsonSchema(std::move(state));
}

const json::value& JsonSchema::source() const noexcept { return state_->source; }

}  // namespace weft
