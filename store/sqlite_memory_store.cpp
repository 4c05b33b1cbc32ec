// SPDX-License-Identifier: MIT
#include "store/sqlite_memory_store.hpp"

#include "store/detail/db.hpp"
#include "store/detail/namespace_path.hpp"
#include "store/detail/mutex.hpp"
#include "store/detail/schema.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace weft {

using store::detail::Db;
using store::detail::ns_from_path;
using store::detail::ns_path;
using store::detail::Use;
using store::detail::WriteTxn;

namespace {

constexpr const char* kCreateTable = R"sql(
CREATE TABLE IF NOT EXISTS memory_items (
  ns_path TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL,
  expires_at_ms INTEGER,
  PRIMARY KEY (ns_path, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS memory_items_expiry ON memory_items (expires_at_ms) WHERE expires_at_ms IS NOT NULL;
)sql";

}  // namespace

struct SqliteMemoryStore::Impl {
  std::string path;
  std::shared_ptr<Clock> clock;
  store::detail::Mutex mutex;
  std::unique_ptr<Db> db PT_GUARDED_BY(mutex);

  StoreItem read_item(SQLite::Statement& row) const {
    StoreItem item;
    item.ns = ns_from_path(row.getColumn(0).getString());
    item.key = row.getColumn(1).getString();
    boost::system::error_code parse_error;
    boost::json::value value = boost::json::parse(row.getColumn(2).getString(), parse_error);
    if (parse_error || !value.is_object()) {
      throw Error(store::error::corrupt, "'" + path + "': memory item '" + item.key + "' in namespace '" +
                                             store_namespace_text(item.ns) + "' is not a JSON object; delete it");
    }
    item.value = std::move(value.as_object());
    item.created_at_ms = row.getColumn(3).getInt64();
    item.updated_at_ms = row.getColumn(4).getInt64();
    if (!row.getColumn(5).isNull()) item.expires_at_ms = row.getColumn(5).getInt64();
    return item;
  }

  // Rows under `prefix` that are live at `now`, in key order.
  std::vector<StoreItem> live_rows(const StoreNamespace& prefix, std::int64_t now) REQUIRES(mutex) {
    std::vector<StoreItem> items;
    const std::string low = ns_path(prefix);
    if (low.empty()) {
      Use q(
          db->stmt("SELECT ns_path, key, value, created_at_ms, updated_at_ms, expires_at_ms FROM memory_items "
                   "WHERE expires_at_ms IS NULL OR expires_at_ms > ?1"));
      q->bind(1, static_cast<std::int64_t>(now));
      while (q->executeStep()) items.push_back(read_item(*q));
      return items;
    }
    std::string high = store::detail::ns_path_upper_bound(low);
    Use q(
        db->stmt("SELECT ns_path, key, value, created_at_ms, updated_at_ms, expires_at_ms FROM memory_items "
                 "WHERE ns_path >= ?1 AND ns_path < ?2 AND (expires_at_ms IS NULL OR expires_at_ms > ?3)"));
    q->bind(1, low);
    q->bind(2, high);
    q->bind(3, static_cast<std::int64_t>(now));
    while (q->executeStep()) items.push_back(read_item(*q));
    return items;
  }
};

SqliteMemoryStore::SqliteMemoryStore(const std::string& path, std::shared_ptr<Clock> clock, int busy_timeout_ms)
    : impl_(std::make_unique<Impl>()) {
  impl_->path = path;
  impl_->clock = clock ? std::move(clock) : system_clock();
  store::detail::precheck_file(path);
  try {
    store::detail::MutexLock lock(impl_->mutex);
    impl_->db = std::make_unique<Db>(path, /*read_only=*/false, busy_timeout_ms);
    impl_->db->enter_wal_mode();
    impl_->db->exec("PRAGMA synchronous = NORMAL");
    store::detail::ensure_schema(*impl_->db, path, /*read_only=*/false);
    impl_->db->exec(kCreateTable);
  } catch (const SQLite::Exception& e) {
    store::detail::throw_sqlite(e, path, "opening the long-term memory store");
  }
}

SqliteMemoryStore::~SqliteMemoryStore() = default;

boost::asio::awaitable<void> SqliteMemoryStore::put(StoreNamespace ns, std::string key, boost::json::object value,
                                                    std::optional<Clock::duration> ttl) {
  validate_store_namespace(ns);
  validate_store_key(key);
  validate_store_put(value, ttl);
  const std::int64_t now = impl_->clock->now_ms();
  const std::string text = boost::json::serialize(value);
  store::detail::MutexLock lock(impl_->mutex);
  try {
    WriteTxn txn(*impl_->db);
    // Expired rows go first, so a put after expiry starts a new item (a fresh created_at).
    Use purge(impl_->db->stmt("DELETE FROM memory_items WHERE expires_at_ms IS NOT NULL AND expires_at_ms <= ?1"));
    purge->bind(1, static_cast<std::int64_t>(now));
    purge->exec();
    Use upsert(impl_->db->stmt(
        "INSERT INTO memory_items (ns_path, key, value, created_at_ms, updated_at_ms, expires_at_ms) "
        "VALUES (?1, ?2, ?3, ?4, ?4, ?5) ON CONFLICT (ns_path, key) DO UPDATE SET value = excluded.value, "
        "updated_at_ms = excluded.updated_at_ms, expires_at_ms = excluded.expires_at_ms"));
    upsert->bind(1, ns_path(ns));
    upsert->bind(2, key);
    upsert->bind(3, text);
    upsert->bind(4, static_cast<std::int64_t>(now));
    if (ttl) {
      upsert->bind(5, static_cast<std::int64_t>(now + ttl->count()));
    } else {
      upsert->bind(5);
    }
    upsert->exec();
    txn.commit();
  } catch (const SQLite::Exception& e) {
    store::detail::throw_sqlite(e, impl_->path,
                                "saving memory item '" + key + "' in '" + store_namespace_text(ns) + "'");
  }
  co_return;
}

boost::asio::awaitable<std::optional<StoreItem>> SqliteMemoryStore::get(StoreNamespace ns, std::string key) {
  validate_store_namespace(ns);
  validate_store_key(key);
  const std::int64_t now = impl_->clock->now_ms();
  std::optional<StoreItem> found;
  {
    store::detail::MutexLock lock(impl_->mutex);
    try {
      Use q(
          impl_->db->stmt("SELECT ns_path, key, value, created_at_ms, updated_at_ms, expires_at_ms FROM memory_items "
                          "WHERE ns_path = ?1 AND key = ?2 AND (expires_at_ms IS NULL OR expires_at_ms > ?3)"));
      q->bind(1, ns_path(ns));
      q->bind(2, key);
      q->bind(3, static_cast<std::int64_t>(now));
      if (q->executeStep()) found = impl_->read_item(*q);
    } catch (const SQLite::Exception& e) {
      store::detail::throw_sqlite(e, impl_->path,
                                  "reading memory item '" + key + "' in '" + store_namespace_text(ns) + "'");
    }
  }
  co_return found;
}

boost::asio::awaitable<void> SqliteMemoryStore::remove(StoreNamespace ns, std::string key) {
  validate_store_namespace(ns);
  validate_store_key(key);
  store::detail::MutexLock lock(impl_->mutex);
  try {
    Use q(impl_->db->stmt("DELETE FROM memory_items WHERE ns_path = ?1 AND key = ?2"));
    q->bind(1, ns_path(ns));
    q->bind(2, key);
    q->exec();
  } catch (const SQLite::Exception& e) {
    store::detail::throw_sqlite(e, impl_->path,
                                "deleting memory item '" + key + "' in '" + store_namespace_text(ns) + "'");
  }
  co_return;
}

boost::asio::awaitable<std::vector<StoreItem>> SqliteMemoryStore::search(StoreSearch search) {
  validate_store_namespace(search.ns_prefix, /*allow_empty=*/true);
  const std::int64_t now = impl_->clock->now_ms();
  std::vector<StoreItem> matching;
  {
    store::detail::MutexLock lock(impl_->mutex);
    try {
      for (StoreItem& item : impl_->live_rows(search.ns_prefix, now)) {
        if (store_item_matches(item, search)) matching.push_back(std::move(item));
      }
    } catch (const SQLite::Exception& e) {
      store::detail::throw_sqlite(e, impl_->path,
                                  "searching memory items under '" + store_namespace_text(search.ns_prefix) + "'");
    }
  }
  co_return store_page(std::move(matching), search.offset, search.limit);
}

boost::asio::awaitable<std::vector<StoreNamespace>> SqliteMemoryStore::list_namespaces(StoreNamespaceQuery query) {
  const std::int64_t now = impl_->clock->now_ms();
  std::vector<StoreNamespace> namespaces;
  {
    store::detail::MutexLock lock(impl_->mutex);
    try {
      Use q(impl_->db->stmt(
          "SELECT DISTINCT ns_path FROM memory_items WHERE expires_at_ms IS NULL OR expires_at_ms > ?1"));
      q->bind(1, static_cast<std::int64_t>(now));
      while (q->executeStep()) {
        StoreNamespace ns = ns_from_path(q->getColumn(0).getString());
        if (store_namespace_matches(ns, query)) namespaces.push_back(std::move(ns));
      }
    } catch (const SQLite::Exception& e) {
      store::detail::throw_sqlite(e, impl_->path, "listing memory namespaces");
    }
  }
  co_return store_namespace_page(std::move(namespaces), query);
}

}  // namespace weft
