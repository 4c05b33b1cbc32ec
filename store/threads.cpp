// SPDX-License-Identifier: MIT
// SqliteStore's thread table: status, listing, deletion.
#include "store/sqlite_store.hpp"

#include "store/detail/codec.hpp"
#include "store/detail/store_impl.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>

namespace weft {
namespace {

using store::detail::DbLock;
using store::detail::Use;

// The latest root checkpoint of each thread is read by correlated subqueries on the primary key.
constexpr const char* kThreadSelect =
    "SELECT t.thread_id, t.status, t.graph, t.created_at_ms, t.updated_at_ms, t.metadata,"
    " (SELECT c.checkpoint_id FROM checkpoints c WHERE c.thread_id = t.thread_id AND c.ns = ''"
    "   ORDER BY c.checkpoint_id DESC LIMIT 1),"
    " (SELECT c.created_at_ms FROM checkpoints c WHERE c.thread_id = t.thread_id AND c.ns = ''"
    "   ORDER BY c.checkpoint_id DESC LIMIT 1)"
    " FROM threads t";

ThreadStatus parse_status(std::string_view text, const store::detail::RowRef& where) {
  for (ThreadStatus s : {ThreadStatus::running, ThreadStatus::interrupted, ThreadStatus::done, ThreadStatus::failed}) {
    if (to_string(s) == text) return s;
  }
  store::detail::throw_bad_record(where, "unknown status '" + std::string(text) + "'");
}

ThreadInfo read_thread(SQLite::Statement& q, const std::string& path) {
  ThreadInfo info;
  info.thread_id = q.getColumn(0).getString();
  const store::detail::RowRef where{path, "threads", info.thread_id, info.thread_id, "status"};
  info.status = parse_status(q.getColumn(1).getString(), where);
  info.graph = q.getColumn(2).getString();
  info.created_at_ms = q.getColumn(3).getInt64();
  info.updated_at_ms = q.getColumn(4).getInt64();
  info.metadata = store::detail::parse_object(q.getColumn(5).getString(),
                                              {path, "threads", info.thread_id, info.thread_id, "metadata"});
  if (!q.getColumn(6).isNull()) {
    info.latest_checkpoint_id = q.getColumn(6).getString();
    info.updated_at_ms = std::max(info.updated_at_ms, q.getColumn(7).getInt64());
  }
  return info;
}

}  // namespace

void SqliteStore::set_thread_status(const std::string& thread_id, ThreadStatus status, const std::string& graph,
                                    const boost::json::object& metadata) {
  auto& impl = *impl_;
  impl.require_writable();
  store::detail::StatusRow row{thread_id, std::string(to_string(status)), graph, boost::json::serialize(metadata),
                               impl.now_ms()};
  if (impl.deferring()) {  // the run writes asynchronously: the status goes in order with its puts
    impl.push_deferred(std::move(row));
    return;
  }
  impl.flush();
  try {
    DbLock lock(impl);
    store::detail::WriteTxn txn(impl.db());
    impl.execute_row(row);
    txn.commit();
  } catch (const SQLite::Exception& e) {
    store::detail::throw_sqlite(e, impl.path(), "thread '" + thread_id + "': saving its status");
  }
}

std::optional<ThreadInfo> SqliteStore::thread(const std::string& thread_id) {
  auto& impl = *impl_;
  impl.flush();
  try {
    DbLock lock(impl);
    static const std::string sql = std::string(kThreadSelect) + " WHERE t.thread_id = ?1";
    Use q(impl.db().stmt(sql.c_str()));
    q->bindNoCopy(1, thread_id);
    if (!q->executeStep()) return std::nullopt;
    return read_thread(*q, impl.path());
  } catch (const SQLite::Exception& e) {
    store::detail::throw_sqlite(e, impl.path(), "thread '" + thread_id + "': reading its status");
  }
}

std::vector<ThreadInfo> SqliteStore::threads() {
  auto& impl = *impl_;
  impl.flush();
  try {
    DbLock lock(impl);
    Use q(impl.db().stmt(kThreadSelect));
    std::vector<ThreadInfo> out;
    while (q->executeStep()) out.push_back(read_thread(*q, impl.path()));
    // Most recently active first, as a user scanning their runs expects.
    std::stable_sort(out.begin(), out.end(),
                     [](const ThreadInfo& a, const ThreadInfo& b) { return a.updated_at_ms > b.updated_at_ms; });
    return out;
  } catch (const SQLite::Exception& e) {
    store::detail::throw_sqlite(e, impl.path(), "listing threads");
  }
}

void SqliteStore::delete_thread(const std::string& thread_id) {
  auto& impl = *impl_;
  impl.require_writable();
  impl.flush();
  try {
    DbLock lock(impl);
    store::detail::WriteTxn txn(impl.db());
    impl.check_not_leased_by_other(thread_id);
    for (const char* sql : {"DELETE FROM checkpoints WHERE thread_id = ?1", "DELETE FROM writes WHERE thread_id = ?1",
                            "DELETE FROM effects WHERE thread_id = ?1", "DELETE FROM threads WHERE thread_id = ?1",
                            "DELETE FROM leases WHERE thread_id = ?1"}) {
      Use q(impl.db().stmt(sql));
      q->bindNoCopy(1, thread_id);
      q->exec();
    }
    txn.commit();
    impl.forget_thread(thread_id);
  } catch (const SQLite::Exception& e) {
    store::detail::throw_sqlite(e, impl.path(), "thread '" + thread_id + "': deleting it");
  }
}

}  // namespace weft
