// SPDX-License-Identifier: MIT
#pragma once
// InMemoryStore: a long-term memory Store (engine/store.hpp) kept in process memory, for tests and
// runs that need no persistence. Expired items are invisible at once and dropped on the next write.

#include "engine/clock.hpp"
#include "engine/store.hpp"

#include <memory>
#include <string>

namespace weft {

class InMemoryStore final : public Store {
 public:
  /// `clock` decides created_at/updated_at and when a ttl runs out. Default: system_clock().
  explicit InMemoryStore(std::shared_ptr<Clock> clock = system_clock());
  ~InMemoryStore() override;

  // Store. Every operation completes at once (on the awaiting coroutine's executor, without
  // suspending) and is thread-safe; none is cancellable (there is nothing to wait for).
  boost::asio::awaitable<void> put(StoreNamespace ns, std::string key, boost::json::object value,
                                   std::optional<Clock::duration> ttl = std::nullopt) override;
  boost::asio::awaitable<std::optional<StoreItem>> get(StoreNamespace ns, std::string key) override;
  boost::asio::awaitable<void> remove(StoreNamespace ns, std::string key) override;
  boost::asio::awaitable<std::vector<StoreItem>> search(StoreSearch search) override;
  boost::asio::awaitable<std::vector<StoreNamespace>> list_namespaces(StoreNamespaceQuery query) override;

 private:
  struct State;  // the items and the mutex guarding them

  std::shared_ptr<Clock> clock_;
  std::unique_ptr<State> state_;
};

}  // namespace weft
