// SPDX-License-Identifier: MIT
#include "store/memory_store.hpp"

#include "store/detail/mutex.hpp"

#include <map>
#include <utility>
#include <vector>

namespace weft {

using store::detail::MutexLock;

namespace {

bool live(const StoreItem& item, std::int64_t now_ms) noexcept {
  return !item.expires_at_ms || *item.expires_at_ms > now_ms;
}

}  // namespace

struct InMemoryStore::State {
  store::detail::Mutex mutex;
  std::map<std::pair<StoreNamespace, std::string>, StoreItem> items GUARDED_BY(mutex);

  void drop_expired(std::int64_t now_ms) REQUIRES(mutex) {
    std::erase_if(items, [&](const auto& entry) { return !live(entry.second, now_ms); });
  }
};

InMemoryStore::InMemoryStore(std::shared_ptr<Clock> clock)
    : clock_(clock ? std::move(clock) : system_clock()), state_(std::make_unique<State>()) {}

InMemoryStore::~InMemoryStore() = default;

boost::asio::awaitable<void> InMemoryStore::put(StoreNamespace ns, std::string key, boost::json::object value,
                                                std::optional<Clock::duration> ttl) {
  validate_store_namespace(ns);
  validate_store_key(key);
  validate_store_put(value, ttl);
  const std::int64_t now = clock_->now_ms();
  MutexLock lock(state_->mutex);
  state_->drop_expired(now);
  auto [it, inserted] = state_->items.try_emplace({ns, key});
  StoreItem& item = it->second;
  if (inserted) {
    item.ns = std::move(ns);
    item.key = std::move(key);
    item.created_at_ms = now;
  }
  item.value = std::move(value);
  item.updated_at_ms = now;
  item.expires_at_ms = ttl ? std::optional<std::int64_t>(now + ttl->count()) : std::nullopt;
  co_return;
}

boost::asio::awaitable<std::optional<StoreItem>> InMemoryStore::get(StoreNamespace ns, std::string key) {
  validate_store_namespace(ns);
  validate_store_key(key);
  const std::int64_t now = clock_->now_ms();
  std::optional<StoreItem> found;
  {
    MutexLock lock(state_->mutex);
    auto it = state_->items.find({ns, key});
    if (it != state_->items.end() && live(it->second, now)) found = it->second;
  }
  co_return found;
}

boost::asio::awaitable<void> InMemoryStore::remove(StoreNamespace ns, std::string key) {
  validate_store_namespace(ns);
  validate_store_key(key);
  {
    MutexLock lock(state_->mutex);
    state_->items.erase({ns, key});
  }
  co_return;
}

boost::asio::awaitable<std::vector<StoreItem>> InMemoryStore::search(StoreSearch search) {
  validate_store_namespace(search.ns_prefix, /*allow_empty=*/true);
  const std::int64_t now = clock_->now_ms();
  std::vector<StoreItem> matching;
  {
    MutexLock lock(state_->mutex);
    for (const auto& [id, item] : state_->items) {
      if (live(item, now) && store_item_matches(item, search)) matching.push_back(item);
    }
  }
  co_return store_page(std::move(matching), search.offset, search.limit);
}

boost::asio::awaitable<std::vector<StoreNamespace>> InMemoryStore::list_namespaces(StoreNamespaceQuery query) {
  const std::int64_t now = clock_->now_ms();
  std::vector<StoreNamespace> namespaces;
  {
    MutexLock lock(state_->mutex);
    for (const auto& [id, item] : state_->items) {
      if (live(item, now) && store_namespace_matches(item.ns, query)) namespaces.push_back(item.ns);
    }
  }
  co_return store_namespace_page(std::move(namespaces), query);
}

}  // namespace weft
