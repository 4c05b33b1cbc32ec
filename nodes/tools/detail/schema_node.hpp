// SPDX-License-Identifier: MIT
#pragma once
// The compiled form of a JsonSchema: a graph of SchemaNode (a graph, not a tree, because $ref may
// point back up). Built once by schema_compile.cpp, read-only afterwards (schema_validate.cpp).
// SchemaState is what a JsonSchema handle shares: the source and, once compiled, the graph.

#include "nodes/tools/detail/ecma_regex.hpp"
#include "nodes/tools/json_schema.hpp"

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace weft::detail {

/// Bits of SchemaNode::types. `number` admits integers too; `integer` admits 3.0.
enum TypeBit : std::uint8_t {
  type_null = 1,
  type_boolean = 2,
  type_integer = 4,
  type_number = 8,
  type_string = 16,
  type_array = 32,
  type_object = 64,
};

struct SchemaNode {
  enum class Kind { accept_all, reject_all, checks };
  Kind kind = Kind::checks;

  std::uint8_t types = 0;  ///< 0 = no "type" keyword

  // objects; `properties` is sorted by name for binary search.
  std::vector<std::pair<std::string, const SchemaNode*>> properties;
  std::vector<std::string> required;
  const SchemaNode* additional = nullptr;  ///< nullptr = any additional property allowed
  std::optional<std::size_t> min_properties, max_properties;

  // arrays
  std::vector<const SchemaNode*> prefix_items;
  const SchemaNode* items = nullptr;  ///< applies after prefix_items; nullptr = anything
  std::optional<std::size_t> min_items, max_items;
  bool unique_items = false;

  // any type
  std::optional<boost::json::array> enum_values;
  std::optional<boost::json::value> const_value;

  // strings
  std::optional<std::size_t> min_length, max_length;
  std::shared_ptr<const EcmaRegex> pattern;  ///< RE2: linear in the text (issue #10)
  std::string pattern_source;
  std::string format_name;
  FormatChecker format;

  // numbers, compared as long double (exact for every int64 and double); `text` is the bound as
  // written in the schema, for messages.
  struct Bound {
    long double value = 0;
    std::string text;
  };
  std::optional<Bound> minimum, maximum, exclusive_minimum, exclusive_maximum;
  std::optional<boost::json::value> multiple_of;

  // composition
  std::vector<const SchemaNode*> all_of, any_of, one_of;
  const SchemaNode* not_schema = nullptr;
  const SchemaNode* ref = nullptr;
};

struct CompiledSchemaDoc {
  std::deque<SchemaNode> nodes;  ///< a deque: pointers into it stay valid while it grows
  const SchemaNode* root = nullptr;
};

/// Compiles `source` (which must outlive nothing: the graph keeps copies of what it needs).
/// Throws weft::Error(tools::error::invalid_schema).
std::shared_ptr<const CompiledSchemaDoc> compile_document(const boost::json::value& source,
                                                          const SchemaOptions& options);

/// Shared by the copies of one JsonSchema. `doc` is set inside `once`: by JsonSchema::compile
/// before the handle exists, or by the first compiled() of a lazy schema.
struct SchemaState {
  boost::json::value source;
  SchemaOptions options;  ///< a lazy schema's options, until it is compiled
  std::once_flag once;
  std::shared_ptr<const CompiledSchemaDoc> doc;
  std::exception_ptr error;  ///< a lazy schema's compile error, rethrown on every use

  /// The compiled graph, compiling it first if needed (thread-safe); rethrows a compile error.
  const CompiledSchemaDoc& compiled();
};

}  // namespace weft::detail
