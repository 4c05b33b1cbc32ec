// SPDX-License-Identifier: MIT
// The effect journal on the `effects` table. Every change commits before returning, whatever the
// durability of checkpoints, because an effect's "started" mark must exist before the effect runs.
#include "store/sqlite_store.hpp"

#include "store/detail/codec.hpp"
#include "store/detail/store_impl.hpp"

#include <boost/json/serialize.hpp>

namespace weft {

using store::detail::DbLock;
using store::detail::Use;
using store::detail::WriteTxn;

EffectEntry SqliteStore::find(const std::string& thread_id, const std::string& key) {
  auto& impl = *impl_;
  try {
    DbLock lock(impl);
    Use q(
        impl.db().stmt("SELECT state, result, started_at_ms, finished_at_ms, request_digest FROM effects"
                       " WHERE thread_id = ?1 AND key = ?2"));
    q->bindNoCopy(1, thread_id);
    q->bindNoCopy(2, key);
    EffectEntry entry;
    if (!q->executeStep()) return entry;
    const std::string state = q->getColumn(0).getString();
    const store::detail::RowRef where{impl.path(), "effects", thread_id, key, "state"};
    if (state == "done")
      entry.state = EffectState::done;
    else if (state == "started")
      entry.state = EffectState::started;
    else
      store::detail::throw_bad_record(where, "unknown effect state '" + state + "'");
    if (entry.state == EffectState::done && !q->getColumn(1).isNull()) {
      entry.result =
          store::detail::parse_json(q->getColumn(1).getString(), {impl.path(), "effects", thread_id, key, "result"});
    }
    entry.started_at_ms = q->getColumn(2).getInt64();
    entry.finished_at_ms = q->getColumn(3).isNull() ? 0 : q->getColumn(3).getInt64();
    entry.request_digest = q->getColumn(4).getString();
    return entry;
  } catch (const SQLite::Exception& e) {
    store::detail::throw_sqlite(e, impl.path(), "thread '" + thread_id + "': reading effect '" + key + "'");
  }
}

void SqliteStore::begin(const std::string& thread_id, const std::string& key) { begin_request(thread_id, key, {}); }

void SqliteStore::begin_request(const std::string& thread_id, const std::string& key,
                                const std::string& request_digest) {
  auto& impl = *impl_;
  impl.require_writable();
  impl.flush_checkpoints();  // the effect's checkpoint context is durable before the effect is marked started
  try {
    DbLock lock(impl);
    WriteTxn txn(impl.db());
    // A started entry may be begun again: its caller reconciled it and found it did not happen.
    Use q(impl.db().stmt(
        "INSERT INTO effects (thread_id, key, state, result, started_at_ms, finished_at_ms, request_digest)"
        " VALUES (?1, ?2, 'started', NULL, ?3, NULL, ?4)"
        " ON CONFLICT (thread_id, key) DO UPDATE SET started_at_ms = excluded.started_at_ms,"
        "   request_digest = excluded.request_digest"
        "   WHERE effects.state = 'started'"));
    q->bindNoCopy(1, thread_id);
    q->bindNoCopy(2, key);
    q->bind(3, static_cast<std::int64_t>(impl.now_ms()));
    q->bindNoCopy(4, request_digest);
    q->exec();
    if (impl.db().changes() == 0) {
      throw Error(store::error::effect_conflict,
                  "thread '" + thread_id + "': effect '" + key +
                      "' is already done in the journal; use its recorded result (find()) instead of running it "
                      "again");
    }
    txn.commit();
  } catch (const SQLite::Exception& e) {
    store::detail::throw_sqlite(e, impl.path(), "thread '" + thread_id + "': starting effect '" + key + "'");
  }
}

void SqliteStore::finish(const std::string& thread_id, const std::string& key, const boost::json::value& result) {
  auto& impl = *impl_;
  impl.require_writable();
  const std::string text = boost::json::serialize(result);
  try {
    DbLock lock(impl);
    WriteTxn txn(impl.db());
    Use q(
        impl.db().stmt("INSERT INTO effects (thread_id, key, state, result, started_at_ms, finished_at_ms)"
                       " VALUES (?1, ?2, 'done', ?3, ?4, ?4)"
                       " ON CONFLICT (thread_id, key) DO UPDATE SET state = 'done', result = excluded.result,"
                       "   finished_at_ms = excluded.finished_at_ms"));
    q->bindNoCopy(1, thread_id);
    q->bindNoCopy(2, key);
    q->bindNoCopy(3, text);
    q->bind(4, static_cast<std::int64_t>(impl.now_ms()));
    q->exec();
    txn.commit();
  } catch (const SQLite::Exception& e) {
    store::detail::throw_sqlite(e, impl.path(),
                                "thread '" + thread_id + "': recording the result of effect '" + key + "'");
  }
}

void SqliteStore::abandon(const std::string& thread_id, const std::string& key) {
  auto& impl = *impl_;
  impl.require_writable();
  try {
    DbLock lock(impl);
    WriteTxn txn(impl.db());
    Use q(impl.db().stmt("DELETE FROM effects WHERE thread_id = ?1 AND key = ?2"));
    q->bindNoCopy(1, thread_id);
    q->bindNoCopy(2, key);
    q->exec();
    txn.commit();
  } catch (const SQLite::Exception& e) {
    store::detail::throw_sqlite(e, impl.path(), "thread '" + thread_id + "': abandoning effect '" + key + "'");
  }
}

}  // namespace weft
