// SPDX-License-Identifier: MIT
#pragma once
// JsonSchema: a JSON Schema (the draft 2020-12 subset tool arguments use) compiled once into a
// tree of checks, then validated cheaply against many instances. Works on Boost.JSON directly.
// compile() compiles at once; lazy() compiles on first use, for catalogs of many tools of which a
// run validates only a few (compiling patterns is the expensive part).
//
// Supported keywords
//   type (string or array; "integer" accepts 3 and 3.0), properties, required,
//   additionalProperties (bool or schema), minProperties/maxProperties, items, prefixItems,
//   minItems/maxItems, uniqueItems, enum, const, minLength/maxLength (Unicode code points),
//   pattern (ECMAScript, unanchored search, compiled once; matched by RE2 in linear time, and
//   backreferences/lookaround refused at compile time), format (see formats.hpp; custom
//   formats through SchemaOptions::formats), minimum/maximum, exclusiveMinimum/exclusiveMaximum,
//   multipleOf, anyOf/oneOf/allOf/not, $ref to a local JSON pointer ("#", "#/$defs/x",
//   "#/definitions/x", recursion allowed), boolean schemas (true/false).
// Annotations are accepted and ignored ($schema, $id, $comment, title, description, default,
// examples, deprecated, readOnly, writeOnly, contentMediaType, contentEncoding, strict) as is any
// vendor keyword ("x-..."). A standard validation keyword Weft does not implement (if/then/else,
// patternProperties, propertyNames, contains, dependentRequired, unevaluated*, ...) is a compile
// error rather than a silently skipped check: tool arguments are a security boundary.
// `format` is an assertion here (not only an annotation), and an unknown format name is a compile
// error, so a typo cannot disable a check.

#include <boost/json/value.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace weft {

namespace detail {
struct SchemaState;
}

/// One reason an instance is invalid. `path` is a JSON Pointer into the instance ("" = the whole
/// instance, "/origin", "/items/2/name").
struct SchemaViolation {
  std::string path;
  std::string message;

  /// "<path>: <message>", or just the message at the root. E.g.
  /// "/content: expected string, got number", "missing required property 'origin'".
  std::string to_string() const;
};

/// Returns true when `text` is in the format.
using FormatChecker = std::function<bool(std::string_view text)>;

struct SchemaOptions {
  /// Extra formats by name (e.g. "crisp-session-id"), checked in addition to the built-in ones;
  /// a name here overrides a built-in one. Default: none.
  std::map<std::string, FormatChecker, std::less<>> formats;
};

/// A compiled schema. A cheap handle: copies share the compiled tree (and, for a lazy schema,
/// the one compilation).
/// Thread safety: validate() and is_valid() may be called from several threads at once, also on
/// a lazy schema not compiled yet (one thread compiles, the others wait for it).
class JsonSchema {
 public:
  /// The schema `true`: every instance is valid.
  JsonSchema();

  /// Compiles `schema`. Throws weft::Error(tools::error::invalid_schema) whose message names the
  /// location in the schema ("schema /properties/id/pattern: invalid regular expression ...").
  static JsonSchema compile(const boost::json::value& schema, const SchemaOptions& options = {});

  /// Keeps `schema` and compiles it on the first validate() or is_valid() of any copy of the
  /// handle. Never throws itself; a schema that does not compile makes that first call and every
  /// later one throw the weft::Error compile() would have thrown. For schemas already known to
  /// compile (a catalog checked by its tests), so that loading many costs nothing up front.
  static JsonSchema lazy(boost::json::value schema, SchemaOptions options = {});

  /// Every violation in `instance` (not only the first), in document order; empty if valid.
  /// Throws only for a lazy schema that does not compile (see lazy()).
  std::vector<SchemaViolation> validate(const boost::json::value& instance) const;

  /// True when validate() would return no violation (stops at the first one). Throws like
  /// validate().
  bool is_valid(const boost::json::value& instance) const;

  /// The schema as given to compile() or lazy(); never compiles.
  const boost::json::value& source() const noexcept;

 private:
  explicit JsonSchema(std::shared_ptr<detail::SchemaState> state);
  std::shared_ptr<detail::SchemaState> state_;
};

/// Joins violations as "a; b; c" (one line, for error messages and tool messages).
std::string to_string(const std::vector<SchemaViolation>& violations);

}  // namespace weft
