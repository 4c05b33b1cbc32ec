// SPDX-License-Identifier: MIT
#pragma once
// Store: long-term memory shared across threads (LangGraph's BaseStore).
//
// Checkpoints remember one thread; a Store remembers across threads: "this customer is on the
// Pro plan" written during one conversation is read in the next. Items are JSON objects filed
// under a namespace (a path of labels, e.g. {"customers", "c-42"}) and a key. The engine only
// defines the interface and hands a configured store to nodes (NodeContext::store()); the
// implementations are InMemoryStore (store/memory_store.hpp) and SqliteMemoryStore
// (store/sqlite_memory_store.hpp); a PostgreSQL one implements the same interface with async I/O.
//
// Every operation is an awaitable so that a networked store never blocks the run's executor.
// Implementations must be safe to call from several threads and runs at once.

#include "engine/clock.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weft {

/// A namespace: a non-empty path of labels, outermost first, e.g. {"customers", "c-42", "prefs"}.
/// Each label is non-empty, at most kMaxStoreLabelBytes bytes, and holds no '.' (LangGraph's rule:
/// the HTTP API joins labels with dots) and no control character.
using StoreNamespace = std::vector<std::string>;

inline constexpr std::size_t kMaxStoreLabelBytes = 256;
inline constexpr std::size_t kMaxStoreDepth = 32;
inline constexpr std::size_t kMaxStoreKeyBytes = 1024;
/// The largest value a store accepts, serialized (1 MiB).
inline constexpr std::size_t kMaxStoreValueBytes = 1u << 20;

/// One stored item (LangGraph's Item).
struct StoreItem {
  StoreNamespace ns;
  std::string key;
  boost::json::object value;
  std::int64_t created_at_ms = 0;             ///< Unix ms of the first put of this key (kept by later puts)
  std::int64_t updated_at_ms = 0;             ///< Unix ms of the latest put
  std::optional<std::int64_t> expires_at_ms;  ///< Unix ms after which the item is gone; none = never
};

/// What search() looks for.
struct StoreSearch {
  /// Items whose namespace starts with these labels ({} = every namespace). Default: {}.
  StoreNamespace ns_prefix;
  /// Top-level value fields that must equal these values (JSON equality). Default: {} (any).
  boost::json::object filter;
  /// Text that must occur in the serialized value, ignoring ASCII case ("" = any). A simple
  /// substring match, not a semantic one: no embeddings are configured. Default: "".
  std::string query;
  /// At most this many items, after skipping `offset`. Default: 10 (LangGraph's default).
  std::size_t limit = 10;
  std::size_t offset = 0;
};

/// What list_namespaces() looks for. A label "*" in prefix or suffix matches any label.
struct StoreNamespaceQuery {
  StoreNamespace prefix;  ///< Default: {} (any).
  StoreNamespace suffix;  ///< Default: {} (any).
  /// Namespaces deeper than this are cut to their first max_depth labels (then deduplicated).
  /// Default: none.
  std::optional<std::size_t> max_depth;
  std::size_t limit = 100;  ///< Default: 100 (LangGraph's default).
  std::size_t offset = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  /// Creates or replaces the item (ns, key). `ttl` (> 0) makes it expire that long after now;
  /// none keeps it forever. A replace keeps created_at and sets updated_at and the expiry anew.
  /// Errors: weft::Error engine::error::invalid_store_request for a bad namespace, key, ttl or an
  /// oversized value (nothing is written); the implementation's own errors for I/O failures.
  virtual boost::asio::awaitable<void> put(StoreNamespace ns, std::string key, boost::json::object value,
                                           std::optional<Clock::duration> ttl = std::nullopt) = 0;
  /// The item, or nullopt when it is absent or expired. Errors as put().
  virtual boost::asio::awaitable<std::optional<StoreItem>> get(StoreNamespace ns, std::string key) = 0;
  /// Deletes the item; absent is not an error. Errors as put().
  virtual boost::asio::awaitable<void> remove(StoreNamespace ns, std::string key) = 0;
  /// Live items matching `search`, most recently updated first (then by namespace and key).
  virtual boost::asio::awaitable<std::vector<StoreItem>> search(StoreSearch search) = 0;
  /// Distinct namespaces of live items matching `query`, sorted (label by label).
  virtual boost::asio::awaitable<std::vector<StoreNamespace>> list_namespaces(StoreNamespaceQuery query) = 0;
};

// ---- rules every implementation shares (store_rules.cpp) ----

/// Throws weft::Error engine::error::invalid_store_request naming the problem when `ns` breaks the
/// StoreNamespace rules. `allow_empty` admits {} (a search prefix).
void validate_store_namespace(const StoreNamespace& ns, bool allow_empty = false);
/// Same for a key (non-empty, at most kMaxStoreKeyBytes, no control character).
void validate_store_key(std::string_view key);
/// Same for a value (at most kMaxStoreValueBytes serialized) and a ttl (> 0 when given).
void validate_store_put(const boost::json::object& value, const std::optional<Clock::duration>& ttl);
/// "customers.c-42" (labels joined with '.'), as LangGraph's API prints namespaces.
std::string store_namespace_text(const StoreNamespace& ns);
/// Whether `item` matches `search`'s prefix, filter and query (not its limit/offset).
bool store_item_matches(const StoreItem& item, const StoreSearch& search);
/// Whether `ns` matches `query`'s prefix and suffix (with "*" wildcards).
bool store_namespace_matches(const StoreNamespace& ns, const StoreNamespaceQuery& query);
/// Sorts items as search() returns them and applies offset/limit.
std::vector<StoreItem> store_page(std::vector<StoreItem> items, std::size_t offset, std::size_t limit);
/// Cuts to max_depth, deduplicates, sorts and applies offset/limit, as list_namespaces() returns.
std::vector<StoreNamespace> store_namespace_page(std::vector<StoreNamespace> namespaces,
                                                 const StoreNamespaceQuery& query);

}  // namespace weft
