// SPDX-License-Identifier: MIT
// The node cache on the `node_cache` table: recorded node results by (node, input key).
#include "store/sqlite_store.hpp"

#include "store/detail/codec.hpp"
#include "store/detail/store_impl.hpp"

#include <boost/json/serialize.hpp>

namespace weft {

using store::detail::DbLock;
using store::detail::Use;
using store::detail::WriteTxn;

std::optional<boost::json::object> SqliteStore::lookup(const std::string& node, const std::string& key,
                                                       std::int64_t now_ms) {
  auto& impl = *impl_;
  try {
    DbLock lock(impl);
    std::string text;
    {
      Use q(impl.db().stmt("SELECT value, expires_at_ms FROM node_cache WHERE node = ?1 AND key = ?2"));
      q->bindNoCopy(1, node);
      q->bindNoCopy(2, key);
      if (!q->executeStep()) return std::nullopt;
      const std::int64_t expires = q->getColumn(1).getInt64();
      if (expires == 0 || expires > now_ms) {
        text = q->getColumn(0).getString();
      }
    }
    if (text.empty()) {  // expired
      if (!impl.options().read_only) {
        WriteTxn txn(impl.db());
        Use d(
            impl.db().stmt("DELETE FROM node_cache WHERE node = ?1 AND key = ?2 AND expires_at_ms != 0 "
                           "AND expires_at_ms <= ?3"));
        d->bindNoCopy(1, node);
        d->bindNoCopy(2, key);
        d->bind(3, now_ms);
        d->exec();
        txn.commit();
      }
      return std::nullopt;
    }
    try {
      return store::detail::parse_object(text, {impl.path(), "node_cache", "", key, "value"});
    } catch (const Error&) {
      throw Error(store::error::bad_record, "node cache entry '" + key + "' of '" + node + "' in '" + impl.path() +
                                                "' is not a JSON object; clear it (weft check " + impl.path() +
                                                " reports such rows)");
    }
  } catch (const SQLite::Exception& e) {
    store::detail::throw_sqlite(e, impl.path(), "reading the node cache of '" + node + "'");
  }
}

void SqliteStore::record(const std::string& node, const std::string& key, const boost::json::object& value,
                         std::int64_t expires_at_ms) {
  auto& impl = *impl_;
  impl.require_writable();
  const std::string text = boost::json::serialize(value);
  try {
    DbLock lock(impl);
    WriteTxn txn(impl.db());
    Use q(impl.db().stmt(
        "INSERT INTO node_cache (node, key, value, expires_at_ms, created_at_ms) VALUES (?1, ?2, ?3, ?4, ?5)"
        " ON CONFLICT (node, key) DO UPDATE SET value = excluded.value, expires_at_ms = excluded.expires_at_ms,"
        "   created_at_ms = excluded.created_at_ms"));
    q->bindNoCopy(1, node);
    q->bindNoCopy(2, key);
    q->bindNoCopy(3, text);
    q->bind(4, expires_at_ms);
    q->bind(5, static_cast<std::int64_t>(impl.now_ms()));
    q->exec();
    txn.commit();
  } catch (const SQLite::Exception& e) {
    store::detail::throw_sqlite(e, impl.path(), "recording a node cache entry of '" + node + "'");
  }
}

void SqliteStore::clear(const std::string& node) {
  auto& impl = *impl_;
  impl.require_writable();
  try {
    DbLock lock(impl);
    WriteTxn txn(impl.db());
    Use q(impl.db().stmt(node.empty() ? "DELETE FROM node_cache" : "DELETE FROM node_cache WHERE node = ?1"));
    if (!node.empty()) q->bindNoCopy(1, node);
    q->exec();
    txn.commit();
  } catch (const SQLite::Exception& e) {
    store::detail::throw_sqlite(e, impl.path(), "clearing the node cache");
  }
}

}  // namespace weft
