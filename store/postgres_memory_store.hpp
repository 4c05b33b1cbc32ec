// SPDX-License-Identifier: MIT
#pragma once
// PostgresMemoryStore: the long-term memory Store (engine/store.hpp) in a Weft PostgreSQL database,
// table weft_memory_items (store/postgres_format.md; rows as SQLite's memory_items,
// store/memory_format.md). Its own bounded connection pool; every operation sends its query
// without blocking and awaits the socket on the calling coroutine's executor. search() reads the
// rows under the namespace prefix and filters them in process, as the SQLite store does.

#include "engine/clock.hpp"
#include "engine/store.hpp"

#include <memory>
#include <string>

namespace weft {

class PostgresMemoryStore final : public Store {
 public:
  /// Connects to `url` (as PostgresStore) and brings the schema up to date. `clock` gives
  /// created_at/updated_at and expiry. Throws weft::Error (store::error) as PostgresStore's
  /// constructor: open_failed, not_a_weft_store, schema_too_new, postgres.
  explicit PostgresMemoryStore(const std::string& url, std::shared_ptr<Clock> clock = system_clock(),
                               std::size_t pool_size = 4);
  ~PostgresMemoryStore() override;
  PostgresMemoryStore(const PostgresMemoryStore&) = delete;
  PostgresMemoryStore& operator=(const PostgresMemoryStore&) = delete;

  boost::asio::awaitable<void> put(StoreNamespace ns, std::string key, boost::json::object value,
                                   std::optional<Clock::duration> ttl = std::nullopt) override;
  boost::asio::awaitable<std::optional<StoreItem>> get(StoreNamespace ns, std::string key) override;
  boost::asio::awaitable<void> remove(StoreNamespace ns, std::string key) override;
  boost::asio::awaitable<std::vector<StoreItem>> search(StoreSearch search) override;
  boost::asio::awaitable<std::vector<StoreNamespace>> list_namespaces(StoreNamespaceQuery query) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace weft
