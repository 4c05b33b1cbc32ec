// SPDX-License-Identifier: MIT
#pragma once
// The Crisp tool catalog: the tools Weft exposes on Crisp, described as data (catalog.json,
// compiled in; format in catalog_format.md). Adding an endpoint is adding an entry, not code.
//
// Loading validates every entry (unique names, known methods, path variables backed by a schema
// property or the binding, schemas that compile, argument names unique across path/query/body,
// id kinds that exist) and derives each tool's model-facing parameter schema.

#include "nodes/tools/json_schema.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weft::crisp {
namespace detail {
class IdPattern;
}

/// A kind of Crisp identifier (session_id, inbox_id, fingerprint, locale, ...): its format and
/// where a model gets a valid one.
struct IdKind {
  std::string name;
  std::string pattern;   ///< ECMAScript regex the whole id must match ("" for integers); RE2 matches it
  bool integer = false;  ///< fingerprints: a JSON integer, not a string
  std::int64_t minimum = 0;
  /// The longest id of this kind in characters (0: no bound), checked before the pattern; from
  /// the catalog's `max_length`. Injected as maxLength into the tools' parameter schemas.
  std::size_t max_length = 0;
  std::string example;
  std::string source;  ///< "the session_id field of list_all_crisp_conversations ..."

  /// True when `text` is at most max_length characters and the whole of it matches `pattern`,
  /// in time linear in its size whatever its size. The regex is compiled on first use
  /// (thread-safe; copies of the IdKind share it).
  bool matches(const std::string& text) const;
  std::shared_ptr<const detail::IdPattern> compiled;  ///< internal: `pattern`'s regex
};

/// How a tool's side effect is made exactly-once (README: "Effects").
enum class EffectKind {
  read,          ///< no side effect
  idempotent,    ///< repeating the request leaves the same state: an in-doubt call is rerun
  check,         ///< Crisp offers a way to look: an in-doubt call is checked before running again
  journal_only,  ///< no check exists: the journal prevents repeats; in doubt -> `in_doubt_rerun`
};

/// One request (or derivation) of a multi-step route (the helpdesk tools; catalog_format.md).
struct RouteStep {
  std::string method;                                        ///< "" for a derive-only step
  std::string path;                                          ///< template: {var}, {tree_path*} (multi-segment)
  boost::json::value query;                                  ///< template object, or null
  boost::json::value body;                                   ///< template, or null for no body
  std::vector<std::string> when;                             ///< run only if one of these vars is set (empty: always)
  std::vector<std::string> unless;                           ///< skip if one of these vars is set
  std::vector<std::string> requires_;                        ///< fail (invalid_argument) unless all are set
  std::vector<std::pair<std::string, std::string>> capture;  ///< var <- field of the response data
  boost::json::object derive;                                ///< var -> {fn, args}
  boost::json::value check;                                  ///< how to check this step when in doubt (once steps)
  bool once = false;                                         ///< the step's non-idempotent write
  bool optional = false;                                     ///< a failure of this step is ignored
  bool result = false;                                       ///< its response data is part of the tool's result
  std::string transform;  ///< "" or "flatten_tree" (tree listing -> items with tree_path)
};

enum class RouteFamily { legacy, tree };
std::string_view to_string(RouteFamily family) noexcept;

struct CatalogEntry {
  std::string name;
  std::string description;
  std::string method;                ///< the (legacy) route's method
  std::string path;                  ///< the (legacy) route's template, relative to the API base
  boost::json::object path_schema;   ///< {} when the route has no model-given path variable
  boost::json::object query_schema;  ///< {} when none
  boost::json::object body_schema;   ///< {} when the request has no body
  bool side_effecting = false;
  EffectKind effect = EffectKind::read;
  bool in_doubt_rerun = true;  ///< journal_only: rerun (true) or fail with in_doubt
  boost::json::value check;    ///< EffectKind::check: the strategy
  std::string effect_why;
  std::string pagination;  ///< "", "page" or "timestamp_before"
  /// The helpdesk tools' per-family steps; empty for single-request tools.
  std::map<RouteFamily, std::vector<RouteStep>> routes;
  boost::json::value result;                 ///< result template (routes only), or null
  std::vector<std::string> one_of_required;  ///< at least one of these arguments is required
  std::vector<std::string> bound;            ///< body properties filled by the binding (fingerprint)

  /// The model-facing JSON Schema of the arguments: path, query and body properties merged
  /// (website_id and bound properties excluded), id patterns and sources injected,
  /// additionalProperties false.
  boost::json::object parameters;
  /// `parameters` compiled (lazily in Catalog::builtin()).
  JsonSchema schema;
  /// Which section each argument belongs to: "path", "query" or "body".
  std::map<std::string, std::string, std::less<>> section;
};

/// An immutable, validated catalog. Thread safety: const after construction, share freely.
class Catalog {
 public:
  /// Parses and validates a catalog document, compiling every parameter schema. Throws
  /// weft::Error(crisp::error::invalid_catalog) naming the entry and field at fault.
  static Catalog parse(std::string_view json_text);
  /// The catalog compiled into the library (nodes/crisp/catalog.json), parsed once, on first use
  /// (thread-safe). Its parameter schemas compile on their first validation (JsonSchema::lazy):
  /// the tests check that the same text passes parse().
  static const Catalog& builtin();

  const std::vector<CatalogEntry>& entries() const noexcept { return *entries_; }
  const CatalogEntry* find(std::string_view name) const noexcept;
  const IdKind* id_kind(std::string_view name) const noexcept;

 private:
  static Catalog parse(std::string_view json_text, bool lazy_schemas);

  std::shared_ptr<const std::vector<CatalogEntry>> entries_;
  std::shared_ptr<const std::map<std::string, IdKind, std::less<>>> id_kinds_;
};

/// The text of the compiled-in catalog.json.
std::string_view builtin_catalog_json() noexcept;

}  // namespace weft::crisp
