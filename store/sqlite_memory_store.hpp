// SPDX-License-Identifier: MIT
#pragma once
// SqliteMemoryStore: the long-term memory Store (engine/store.hpp) in a Weft SQLite file, beside
// the checkpoints (table memory_items, store/memory_format.md). It opens its own connection, so it
// can share the file with a SqliteStore in this or another process (WAL); it creates the Weft
// schema when the file is new, and its own table if missing.
//
// Operations are short local transactions run on the awaiting coroutine's executor (as the SQLite
// checkpointer's are); they complete without suspending, are not cancellable, and are
// thread-safe (one connection behind a mutex). search() reads the rows under the namespace prefix
// and filters them in process: fine for memories counted in thousands per prefix, the intended use.

#include "engine/clock.hpp"
#include "engine/store.hpp"

#include <memory>
#include <string>

namespace weft {

class SqliteMemoryStore final : public Store {
 public:
  /// Opens (creating if needed) the Weft store file `path`. `clock` gives created_at/updated_at and
  /// expiry (default: system_clock()); `busy_timeout_ms` is how long a statement waits for another
  /// connection's write lock. Throws weft::Error (store::error) when the file cannot be opened or
  /// is not a Weft store.
  explicit SqliteMemoryStore(const std::string& path, std::shared_ptr<Clock> clock = system_clock(),
                             int busy_timeout_ms = 5000);
  ~SqliteMemoryStore() override;
  SqliteMemoryStore(const SqliteMemoryStore&) = delete;
  SqliteMemoryStore& operator=(const SqliteMemoryStore&) = delete;

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
