// SPDX-License-Identifier: MIT
#pragma once
// Node caching (LangGraph's CachePolicy): a node given a CachePolicy, in a graph compiled with a
// NodeCache, skips running when its input was seen before and returns its recorded result.
//
// The recorded result is what the node returned (update, goto, sends); it is replayed through the
// same checks, routers and channels as a fresh one, and saved as the task's writes like any other.
// A cache that cannot be read or written costs a call, never the task: the node runs, and the
// error goes to the debug stream ("cache_error"). Only successful results are recorded: a node that failed, interrupted or returned a Command for
// the parent graph runs again next time. A cached node's side effects do not happen again, so
// cache nodes whose work is a pure function of their input (an LLM call, a lookup), not ones that
// act on the world.

#include "engine/state_view.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace weft {

struct CachePolicy {
  /// How long a recorded result stays valid, by the run's clock. Default: until cleared.
  std::optional<std::chrono::milliseconds> ttl{};
  /// The cache key of a task's input (the state it sees, or its Send argument). Default (empty):
  /// the whole input, serialized. Keys are hashed before they are stored.
  std::function<std::string(const StateView& input)> key{};
};

/// Where recorded node results live: entries keyed by (node, key), where node names the graph and
/// the node ("graph/node") and key is a hash of the input. Implementations: MemoryNodeCache
/// (store/memory_node_cache.hpp) and SqliteStore. Must be safe to call from several threads.
class NodeCache {
 public:
  virtual ~NodeCache() = default;
  /// The value recorded under (node, key), unless it expired at or before `now_ms`.
  virtual std::optional<boost::json::object> lookup(const std::string& node, const std::string& key,
                                                    std::int64_t now_ms) = 0;
  /// Records `value` under (node, key), replacing an earlier one; `expires_at_ms` 0 never expires.
  virtual void record(const std::string& node, const std::string& key, const boost::json::object& value,
                      std::int64_t expires_at_ms) = 0;
  /// Forgets the entries of `node` ("graph/node"), or every entry when `node` is empty.
  virtual void clear(const std::string& node = {}) = 0;
};

}  // namespace weft
