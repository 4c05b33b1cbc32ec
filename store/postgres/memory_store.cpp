// SPDX-License-Identifier: MIT
// PostgresMemoryStore (store/postgres_memory_store.hpp) on weft_memory_items.
#include "store/detail/namespace_path.hpp"
#include "store/error.hpp"
#include "store/postgres/detail/pool.hpp"
#include "store/postgres/detail/schema.hpp"
#include "store/postgres_memory_store.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace weft {

using store::detail::ns_from_path;
using store::detail::ns_path;
using store::postgres::detail::Params;
using store::postgres::detail::Result;

namespace {

constexpr const char* kItemColumns = "ns_path, key, value, created_at_ms, updated_at_ms, expires_at_ms";

StoreItem read_item(const Result& r, int i, const std::string& db) {
  StoreItem item;
  item.ns = ns_from_path(r.text(i, 0));
  item.key = std::string(r.text(i, 1));
  boost::system::error_code parse_error;
  boost::json::value value = boost::json::parse(r.text(i, 2), parse_error);
  if (parse_error || !value.is_object()) {
    throw Error(store::error::corrupt, db + ": memory item '" + item.key + "' in namespace '" +
                                           store_namespace_text(item.ns) + "' is not a JSON object; delete it");
  }
  item.value = std::move(value.as_object());
  item.created_at_ms = r.int64(i, 3);
  item.updated_at_ms = r.int64(i, 4);
  if (!r.is_null(i, 5)) item.expires_at_ms = r.int64(i, 5);
  return item;
}

}  // namespace

struct PostgresMemoryStore::Impl {
  std::shared_ptr<Clock> clock;
  std::shared_ptr<store::postgres::detail::Pool> pool;
};

PostgresMemoryStore::PostgresMemoryStore(const std::string& url, std::shared_ptr<Clock> clock, std::size_t pool_size)
    : impl_(std::make_unique<Impl>()) {
  impl_->clock = clock ? std::move(clock) : system_clock();
  impl_->pool = store::postgres::detail::Pool::create(url, pool_size, std::chrono::seconds(30), 5);
  auto c = impl_->pool->acquire();
  store::postgres::detail::ensure_component(*c, store::postgres::detail::store_schema());
}

PostgresMemoryStore::~PostgresMemoryStore() = default;

boost::asio::awaitable<void> PostgresMemoryStore::put(StoreNamespace ns, std::string key, boost::json::object value,
                                                      std::optional<Clock::duration> ttl) {
  validate_store_namespace(ns);
  validate_store_key(key);
  validate_store_put(value, ttl);
  const std::int64_t now = impl_->clock->now_ms();
  Params p;
  p.add(ns_path(ns)).add(key).add(boost::json::serialize(value)).add(now);
  if (ttl) {
    p.add(now + ttl->count());
  } else {
    p.add_null();
  }
  auto c = co_await impl_->pool->async_acquire();
  // An expired row is replaced as a new item (a fresh created_at), as in SQLite.
  co_await c->async_exec(
      "INSERT INTO weft_memory_items (ns_path, key, value, created_at_ms, updated_at_ms, expires_at_ms)"
      " VALUES ($1, $2, $3, $4::bigint, $4::bigint, $5::bigint) ON CONFLICT (ns_path, key) DO UPDATE SET"
      " value = excluded.value, updated_at_ms = excluded.updated_at_ms, expires_at_ms = excluded.expires_at_ms,"
      " created_at_ms = CASE WHEN weft_memory_items.expires_at_ms IS NOT NULL"
      "   AND weft_memory_items.expires_at_ms <= excluded.updated_at_ms THEN excluded.created_at_ms"
      "   ELSE weft_memory_items.created_at_ms END",
      std::move(p));
}

boost::asio::awaitable<std::optional<StoreItem>> PostgresMemoryStore::get(StoreNamespace ns, std::string key) {
  validate_store_namespace(ns);
  validate_store_key(key);
  auto c = co_await impl_->pool->async_acquire();
  Result r = co_await c->async_exec(
      std::string("SELECT ") + kItemColumns +
          " FROM weft_memory_items WHERE ns_path = $1 AND key = $2 AND (expires_at_ms IS NULL OR expires_at_ms > $3)",
      Params().add(ns_path(ns)).add(key).add(impl_->clock->now_ms()));
  if (r.rows() == 0) co_return std::nullopt;
  co_return read_item(r, 0, impl_->pool->redacted_url());
}

boost::asio::awaitable<void> PostgresMemoryStore::remove(StoreNamespace ns, std::string key) {
  validate_store_namespace(ns);
  validate_store_key(key);
  auto c = co_await impl_->pool->async_acquire();
  co_await c->async_exec("DELETE FROM weft_memory_items WHERE ns_path = $1 AND key = $2",
                         Params().add(ns_path(ns)).add(key));
}

boost::asio::awaitable<std::vector<StoreItem>> PostgresMemoryStore::search(StoreSearch search) {
  validate_store_namespace(search.ns_prefix, /*allow_empty=*/true);
  const std::string low = ns_path(search.ns_prefix);
  const std::string high = low.empty() ? std::string() : store::detail::ns_path_upper_bound(low);
  auto c = co_await impl_->pool->async_acquire();
  Result r = co_await c->async_exec(std::string("SELECT ") + kItemColumns +
                                        " FROM weft_memory_items WHERE ($1 = '' OR (ns_path >= $1 AND ns_path < $2))"
                                        " AND (expires_at_ms IS NULL OR expires_at_ms > $3)",
                                    Params().add(low).add(high).add(impl_->clock->now_ms()));
  std::vector<StoreItem> matching;
  for (int i = 0; i < r.rows(); ++i) {
    StoreItem item = read_item(r, i, impl_->pool->redacted_url());
    if (store_item_matches(item, search)) matching.push_back(std::move(item));
  }
  co_return store_page(std::move(matching), search.offset, search.limit);
}

boost::asio::awaitable<std::vector<StoreNamespace>> PostgresMemoryStore::list_namespaces(StoreNamespaceQuery query) {
  auto c = co_await impl_->pool->async_acquire();
  Result r = co_await c->async_exec(
      "SELECT DISTINCT ns_path FROM weft_memory_items WHERE expires_at_ms IS NULL OR expires_at_ms > $1",
      Params().add(impl_->clock->now_ms()));
  std::vector<StoreNamespace> namespaces;
  for (int i = 0; i < r.rows(); ++i) {
    StoreNamespace ns = ns_from_path(r.text(i, 0));
    if (store_namespace_matches(ns, query)) namespaces.push_back(std::move(ns));
  }
  co_return store_namespace_page(std::move(namespaces), query);
}

}  // namespace weft
