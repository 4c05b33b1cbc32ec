// SPDX-License-Identifier: MIT
#include "store/memory_node_cache.hpp"

namespace weft {

std::optional<boost::json::object> MemoryNodeCache::lookup(const std::string& node, const std::string& key,
                                                           std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find({node, key});
  if (it == entries_.end()) return std::nullopt;
  if (it->second.expires_at_ms != 0 && it->second.expires_at_ms <= now_ms) {
    entries_.erase(it);
    return std::nullopt;
  }
  return it->second.value;
}

void MemoryNodeCache::record(const std::string& node, const std::string& key, const boost::json::object& value,
                             std::int64_t expires_at_ms) {
  std::lock_guard lock(mutex_);
  entries_[{node, key}] = Entry{value, expires_at_ms};
}

void MemoryNodeCache::clear(const std::string& node) {
  std::lock_guard lock(mutex_);
  if (node.empty()) {
    entries_.clear();
    return;
  }
  std::erase_if(entries_, [&](const auto& entry) { return entry.first.first == node; });
}

std::size_t MemoryNodeCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace weft
