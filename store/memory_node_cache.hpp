// SPDX-License-Identifier: MIT
#pragma once
// MemoryNodeCache: a NodeCache (engine/node_cache.hpp) kept in process memory. Thread-safe.
// Expired entries are dropped when they are looked up.

#include "engine/node_cache.hpp"

#include <memory>
#include <string>

namespace weft {

class MemoryNodeCache final : public NodeCache {
 public:
  MemoryNodeCache();
  ~MemoryNodeCache() override;

  std::optional<boost::json::object> lookup(const std::string& node, const std::string& key,
                                            std::int64_t now_ms) override;
  void record(const std::string& node, const std::string& key, const boost::json::object& value,
              std::int64_t expires_at_ms) override;
  void clear(const std::string& node = {}) override;
  /// Entries held (expired ones included until looked up).
  std::size_t size() const;

 private:
  struct State;  // the entries and the mutex guarding them
  std::unique_ptr<State> state_;
};

}  // namespace weft
