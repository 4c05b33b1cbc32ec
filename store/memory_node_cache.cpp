// SPDX-License-Identifier: MIT
// MemoryNodeCache: entries in a map under one mutex.
#include "store/memory_node_cache.hpp"

#include "store/detail/mutex.hpp"

#include <map>
#include <utility>

namespace weft {

using store::detail::MutexLock;

struct MemoryNodeCache::State {
  struct Entry {
    boost::json::object value;
    std::int64_t expires_at_ms = 0;
  };
  mutable store::detail::Mutex mutex;
  std::map<std::pair<std::string, std::string>, Entry> entries GUARDED_BY(mutex);  // (node, key)
};

MemoryNodeCache::MemoryNodeCache() : state_(std::make_unique<State>()) {}

MemoryNodeCache::~MemoryNodeCache() = default;

std::optional<boost::json::object> MemoryNodeCache::lookup(const std::string& node, const std::string& key,
                                                           std::int64_t now_ms) {
  MutexLock lock(state_->mutex);
  auto& entries = state_->entries;
  auto it = entries.find({node, key});
  if (it == entries.end()) return std::nullopt;
  if (it->second.expires_at_ms != 0 && it->second.expires_at_ms <= now_ms) {
    entries.erase(it);
    return std::nullopt;
  }
  return it->second.value;
}

void MemoryNodeCache::record(const std::string& node, const std::string& key, const boost::json::object& value,
                             std::int64_t expires_at_ms) {
  MutexLock lock(state_->mutex);
  state_->entries[{node, key}] = State::Entry{value, expires_at_ms};
}

void MemoryNodeCache::clear(const std::string& node) {
  MutexLock lock(state_->mutex);
  if (node.empty()) {
    state_->entries.clear();
    return;
  }
  std::erase_if(state_->entries, [&](const auto& entry) { return entry.first.first == node; });
}

std::size_t MemoryNodeCache::size() const {
  MutexLock lock(state_->mutex);
  return state_->entries.size();
}

}  // namespace weft
