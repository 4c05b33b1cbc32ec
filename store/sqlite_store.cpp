// SPDX-License-Identifier: MIT
// SqliteStore: opening, checkpoint and writes persistence, durability modes. Loads are in
// load.cpp, history in list.cpp, threads in threads.cpp, leases in lease.cpp, the effect journal
// in effects.cpp.
#include "store/sqlite_store.hpp"

#include "store/detail/codec.hpp"
#include "store/detail/queries.hpp"
#include "store/detail/schema.hpp"
#include "store/detail/store_impl.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>

namespace weft {
namespace store::detail {
namespace {

std::string chain_key(const std::string& thread_id, const std::string& ns) {
  std::string key;
  key.reserve(thread_id.size() + ns.size() + 1);
  key.append(thread_id).push_back('\0');
  key.append(ns);
  return key;
}

std::unique_ptr<Db> open_db(const std::string& path, const SqliteOptions& options) {
  precheck_file(path);
  try {
    auto db = std::make_unique<Db>(path, options.read_only, options.busy_timeout_ms);
    // Before the WAL is first opened: an exclusive connection then keeps its WAL index in memory.
    if (options.exclusive_locking && !options.read_only) db->exec("PRAGMA locking_mode = EXCLUSIVE");
    if (!options.read_only) db->enter_wal_mode();
    db->exec(options.synchronous == SqliteOptions::Synchronous::full ? "PRAGMA synchronous = FULL"
                                                                     : "PRAGMA synchronous = NORMAL");
    db->exec("PRAGMA temp_store = MEMORY");
    if (options.mmap_size_bytes < 0) {
      throw Error(store::error::sqlite, "opening '" + path + "': SqliteOptions::mmap_size_bytes is " +
                                            std::to_string(options.mmap_size_bytes) +
                                            "; use 0 (off, the default) or a size in bytes");
    }
    if (options.mmap_size_bytes > 0)
      db->exec(("PRAGMA mmap_size = " + std::to_string(options.mmap_size_bytes)).c_str());
    ensure_schema(*db, path, options.read_only);
    // Resuming a thread starts with a load: compile its statements now, with the open.
    db->stmt(kChainScanLatestSql);
    db->stmt(kChainScanSql);
    db->stmt(kLoadChainSql);
    db->stmt(kLoadWritesSql);
    return db;
  } catch (const SQLite::Exception& e) {
    throw_sqlite(e, path, "opening the store");
  }
}

SqliteOptions with_clock(SqliteOptions options) {
  if (!options.clock) options.clock = system_clock();
  return options;
}

}  // namespace

SqliteStoreImpl::SqliteStoreImpl(const std::string& path, SqliteOptions options)
    : path_(path),
      options_(with_clock(std::move(options))),
      db_(open_db(path, options_)),
      writer_([this](std::vector<WriteJob>& batch) { commit_batch(batch); },
              std::chrono::microseconds(static_cast<std::int64_t>(options_.async_commit_delay_ms * 1000))) {
  process_counters().opened.fetch_add(1, std::memory_order_relaxed);
}

SqliteStoreImpl::~SqliteStoreImpl() {
  writer_.stop();
  stop_heartbeat();
}

CheckpointRow SqliteStoreImpl::encode(const CheckpointRecord& record, const boost::json::object& values) {
  CheckpointRow row;
  row.thread_id = record.thread_id;
  row.ns = record.ns;
  row.id = record.id;
  row.parent_id = record.parent_id;
  row.step = record.step;
  row.source = std::string(to_string(record.source));
  row.created_at_ms = record.created_at_ms;
  row.metadata = boost::json::serialize(record.metadata);
  row.next = boost::json::serialize(record.next);
  row.deltas = encode_deltas(record.deltas);
  row.consumes_parent_writes =
      record.source == CheckpointSource::loop && !record.parent_id.empty() && !options_.keep_consumed_writes;
  if (const auto* graph = record.metadata.if_contains("graph"); graph && graph->is_string()) {
    row.graph = std::string(graph->get_string());
  }

  std::optional<ChainInfo> parent;
  if (!record.parent_id.empty()) {
    {
      MutexLock lock(chain_mutex_);
      auto found = last_chain_.find(chain_key(record.thread_id, record.ns));
      if (found != last_chain_.end() && found->second.id == record.parent_id) parent = found->second;
    }
    if (!parent) {  // a fork, or the first put since opening: ask the database (after queued writes)
      flush_checkpoints();
      MutexLock lock(db_mutex_);
      Use q(
          db_->stmt("SELECT chain_len, chain_bytes, base_bytes, metadata, next FROM checkpoints "
                    "WHERE thread_id = ?1 AND ns = ?2 AND checkpoint_id = ?3"));
      q->bindNoCopy(1, record.thread_id);
      q->bindNoCopy(2, record.ns);
      q->bindNoCopy(3, record.parent_id);
      if (q->executeStep()) {
        // A stored marker says nothing about the text itself: leave it unknown (no dedupe).
        std::string metadata = q->getColumn(3).getString(), next = q->getColumn(4).getString();
        if (metadata == kSameAsParent) metadata.clear();
        if (next == kSameAsParent) next.clear();
        parent = ChainInfo{record.parent_id,           q->getColumn(0).getInt64(), q->getColumn(1).getInt64(),
                           q->getColumn(2).getInt64(), std::move(metadata),        std::move(next)};
      }
    }
  }
  bool snapshot = !parent;  // no parent, or a parent never stored (exit durability): fold from nothing
  if (parent) {
    row.chain_len = parent->chain_len + 1;
    row.chain_bytes = parent->chain_bytes + static_cast<std::int64_t>(row.deltas.size());
    row.base_bytes = parent->base_bytes;
    snapshot =
        row.chain_len >= options_.snapshot_max_steps ||
        (row.chain_len >= options_.snapshot_min_steps &&
         static_cast<double>(row.chain_bytes) >= options_.snapshot_bytes_ratio * static_cast<double>(row.base_bytes));
  }
  if (snapshot) {
    row.snapshot = boost::json::serialize(values);
    row.chain_len = 0;
    row.chain_bytes = 0;
    row.base_bytes = static_cast<std::int64_t>(row.snapshot->size());
  }
  row.full_metadata = row.metadata;
  row.full_next = row.next;
  // A delta row whose metadata / next repeat its parent's stores a marker instead (a snapshot row
  // always stores them in full, so a loaded chain always reaches the text).
  if (!snapshot && parent) {
    if (!parent->metadata.empty() && parent->metadata == row.metadata) row.metadata = std::string(kSameAsParent);
    if (!parent->next.empty() && parent->next == row.next) row.next = std::string(kSameAsParent);
  }
  return row;
}

void SqliteStoreImpl::remember(const CheckpointRow& row) {
  MutexLock lock(chain_mutex_);
  ChainInfo& info = last_chain_[chain_key(row.thread_id, row.ns)];
  // The last row put is the one the next put most likely names as parent (forks included); a
  // miss only costs one indexed query in encode().
  info = ChainInfo{row.id, row.chain_len, row.chain_bytes, row.base_bytes, row.full_metadata, row.full_next};
}

void SqliteStoreImpl::execute(const WriteJob& job) {
  // Not std::visit: a lambda would not be known to run under db_mutex_ (-Wthread-safety).
  if (const auto* checkpoint = std::get_if<CheckpointRow>(&job)) {
    execute_row(*checkpoint);
  } else if (const auto* writes = std::get_if<WritesRow>(&job)) {
    execute_row(*writes);
  } else if (const auto* status = std::get_if<StatusRow>(&job)) {
    execute_row(*status);
  } else {
    execute_row(std::get<LeaseReleaseRow>(job));
  }
}

void SqliteStoreImpl::execute_row(const CheckpointRow& row) {
  {
    const CheckpointRow* c = &row;
    Use q(db_->stmt(
        "INSERT OR REPLACE INTO checkpoints (thread_id, ns, checkpoint_id, parent_id, step, source, created_at_ms, "
        "metadata, next, deltas, snapshot, chain_len, chain_bytes, base_bytes) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"));
    q->bindNoCopy(1, c->thread_id);
    q->bindNoCopy(2, c->ns);
    q->bindNoCopy(3, c->id);
    q->bindNoCopy(4, c->parent_id);
    q->bind(5, static_cast<std::int64_t>(c->step));
    q->bindNoCopy(6, c->source);
    q->bind(7, static_cast<std::int64_t>(c->created_at_ms));
    q->bindNoCopy(8, c->metadata);
    q->bindNoCopy(9, c->next);
    q->bindNoCopy(10, c->deltas);
    if (c->snapshot)
      q->bindNoCopy(11, *c->snapshot);
    else
      q->bind(11);
    q->bind(12, static_cast<std::int64_t>(c->chain_len));
    q->bind(13, static_cast<std::int64_t>(c->chain_bytes));
    q->bind(14, static_cast<std::int64_t>(c->base_bytes));
    q->exec();
    if (c->consumes_parent_writes) {
      Use d(db_->stmt("DELETE FROM writes WHERE thread_id = ?1 AND ns = ?2 AND checkpoint_id = ?3 AND keep = 0"));
      d->bindNoCopy(1, c->thread_id);
      d->bindNoCopy(2, c->ns);
      d->bindNoCopy(3, c->parent_id);
      d->exec();
    }
    if (!known_threads_.contains(c->thread_id)) {
      Use t(
          db_->stmt("INSERT OR IGNORE INTO threads (thread_id, status, graph, created_at_ms, updated_at_ms, metadata) "
                    "VALUES (?1, 'running', ?2, ?3, ?3, '{}')"));
      t->bindNoCopy(1, c->thread_id);
      t->bindNoCopy(2, c->graph);
      t->bind(3, static_cast<std::int64_t>(c->created_at_ms));
      t->exec();
      known_threads_.insert(c->thread_id);
    }
  }
}

void SqliteStoreImpl::execute_row(const WritesRow& w) {
  Use q(db_->stmt(
      "INSERT OR REPLACE INTO writes (thread_id, ns, checkpoint_id, task_id, task_name, writes, keep, created_at_ms) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
  q->bindNoCopy(1, w.thread_id);
  q->bindNoCopy(2, w.ns);
  q->bindNoCopy(3, w.checkpoint_id);
  q->bindNoCopy(4, w.task_id);
  q->bindNoCopy(5, w.task_name);
  q->bindNoCopy(6, w.writes);
  q->bind(7, w.keep ? 1 : 0);
  q->bind(8, static_cast<std::int64_t>(w.created_at_ms));
  q->exec();
}

void SqliteStoreImpl::push_deferred(WriteJob job) { writer_.push(std::move(job), /*visible=*/false); }

void SqliteStoreImpl::execute_row(const StatusRow& row) {
  Use q(
      db_->stmt("INSERT INTO threads (thread_id, status, graph, created_at_ms, updated_at_ms, metadata)"
                " VALUES (?1, ?2, ?3, ?4, ?4, ?5)"
                " ON CONFLICT (thread_id) DO UPDATE SET status = excluded.status,"
                "   graph = CASE WHEN excluded.graph <> '' THEN excluded.graph ELSE threads.graph END,"
                "   updated_at_ms = excluded.updated_at_ms, metadata = excluded.metadata"));
  q->bindNoCopy(1, row.thread_id);
  q->bindNoCopy(2, row.status);
  q->bindNoCopy(3, row.graph);
  q->bind(4, static_cast<std::int64_t>(row.at_ms));
  q->bindNoCopy(5, row.metadata);
  q->exec();
  known_threads_.insert(row.thread_id);
}

void SqliteStoreImpl::execute_row(const LeaseReleaseRow& row) {
  Use q(db_->stmt("DELETE FROM leases WHERE thread_id = ?1 AND owner_token = ?2"));
  q->bindNoCopy(1, row.thread_id);
  q->bindNoCopy(2, row.token);
  q->exec();
  MutexLock lock(lease_mutex_);  // db_mutex_ is held: the documented order
  auto released = releasing_leases_.find(row.thread_id);
  if (released != releasing_leases_.end() && released->second == row.token) releasing_leases_.erase(released);
}

void SqliteStoreImpl::write(WriteJob job, Durability durability) {
  require_writable();
  last_put_deferred_.store(durability != Durability::sync, std::memory_order_relaxed);
  const std::string& thread_id = std::visit([](const auto& row) -> const std::string& { return row.thread_id; }, job);
  throw_if_lease_lost(thread_id);
  if (durability == Durability::sync) {
    writer_.drain();  // keeps commits in put order across durability modes
    MutexLock lock(db_mutex_);
    WriteTxn txn(*db_);
    execute(job);
    txn.commit();
    if (const auto* c = std::get_if<CheckpointRow>(&job)) remember(*c);
    return;
  }
  // The row is the chain head from now on: if its commit fails the store fails as a whole.
  if (const auto* c = std::get_if<CheckpointRow>(&job)) remember(*c);
  writer_.push(std::move(job));
}

void SqliteStoreImpl::commit_batch(std::vector<WriteJob>& batch) {
  // Task writes that a later checkpoint of the same batch consumes would be inserted and deleted
  // in this one transaction: skip them (fewer dirty pages, the same final content).
  std::unordered_map<std::string, std::size_t> consumer;  // thread \0 ns \0 parent -> last index
  const bool any_writes = std::any_of(batch.begin(), batch.end(),
                                      [](const WriteJob& job) { return std::holds_alternative<WritesRow>(job); });
  for (std::size_t i = 0; any_writes && i < batch.size(); ++i) {
    if (const auto* c = std::get_if<CheckpointRow>(&batch[i]); c && c->consumes_parent_writes) {
      consumer[c->thread_id + '\0' + c->ns + '\0' + c->parent_id] = i;
    }
  }
  auto consumed_later = [&](std::size_t i, const WritesRow& w) {
    if (w.keep || consumer.empty()) return false;
    auto it = consumer.find(w.thread_id + '\0' + w.ns + '\0' + w.checkpoint_id);
    return it != consumer.end() && it->second > i;
  };
  try {
    MutexLock lock(db_mutex_);
    WriteTxn txn(*db_);
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (const auto* w = std::get_if<WritesRow>(&batch[i]); w && consumed_later(i, *w)) continue;
      execute(batch[i]);
    }
    txn.commit();
  } catch (const std::exception& e) {
    throw Error(error::write_failed, "asynchronous commit of " + std::to_string(batch.size()) + " write(s) to '" +
                                         path_ + "' failed: " + e.what() +
                                         "; the store accepts no more writes, earlier commits are intact: reopen "
                                         "it and resume the thread");
  }
}

void SqliteStoreImpl::flush() { writer_.drain(); }

void SqliteStoreImpl::forget_thread(const std::string& thread_id) {
  known_threads_.erase(thread_id);
  {
    MutexLock lock(chain_mutex_);
    const std::string prefix = thread_id + '\0';
    std::erase_if(last_chain_, [&](const auto& entry) { return entry.first.starts_with(prefix); });
  }
  MutexLock lock(lease_mutex_);
  held_leases_.erase(thread_id);
}

void SqliteStoreImpl::flush_checkpoints() { writer_.drain_visible(); }

void SqliteStoreImpl::require_writable() const {
  if (options_.read_only) {
    throw Error(error::open_failed, "'" + path_ + "' was opened read-only; open it without read_only to write");
  }
}

}  // namespace store::detail

using store::detail::DbLock;
using store::detail::SqliteStoreImpl;

SqliteStore::SqliteStore(const std::string& path, SqliteOptions options)
    : impl_(std::make_shared<SqliteStoreImpl>(path, options)) {}

SqliteStore::~SqliteStore() {
  try {
    impl_->flush();
  } catch (...) {
    // documented: call flush() to see asynchronous errors
  }
}

const std::string& SqliteStore::path() const noexcept { return impl_->path(); }

void SqliteStore::put_writes(const TaskWrites& writes, Durability durability) {
  const bool keep = std::any_of(writes.writes.begin(), writes.writes.end(), [](const ChannelWrite& w) {
    return w.channel == kErrorChannel || w.channel == kInterruptChannel || w.channel == kResumeChannel;
  });
  store::detail::WritesRow row{writes.thread_id,
                               writes.ns,
                               writes.checkpoint_id,
                               writes.task_id,
                               writes.task_name,
                               store::detail::encode_writes(writes.writes),
                               keep,
                               impl_->now_ms()};
  try {
    impl_->write(std::move(row), durability);
  } catch (const SQLite::Exception& e) {
    store::detail::throw_sqlite(e, impl_->path(),
                                "thread '" + writes.thread_id + "': saving the writes of task '" + writes.task_id +
                                    "' (" + writes.task_name + ")");
  }
}

void SqliteStore::put_checkpoint(const CheckpointRecord& record, const boost::json::object& values,
                                 Durability durability) {
  try {
    impl_->write(impl_->encode(record, values), durability);
  } catch (const SQLite::Exception& e) {
    store::detail::throw_sqlite(e, impl_->path(),
                                "thread '" + record.thread_id + "': saving checkpoint '" + record.id + "'");
  }
}

void SqliteStore::flush() { impl_->flush(); }

std::string SqliteStore::read_pragma(const std::string& name) {
  const bool identifier = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
  if (!identifier) {
    throw Error(store::error::sqlite, "read_pragma: '" + name + "' is not a PRAGMA name");
  }
  try {
    DbLock lock(*impl_);
    return impl_->db().raw().execAndGet("PRAGMA " + name).getString();
  } catch (const SQLite::Exception& e) {
    store::detail::throw_sqlite(e, impl_->path(), "reading PRAGMA " + name);
  }
}

void SqliteStore::checkpoint_wal() {
  impl_->flush();
  try {
    DbLock lock(*impl_);
    impl_->db().exec("PRAGMA wal_checkpoint(TRUNCATE)");
  } catch (const SQLite::Exception& e) {
    store::detail::throw_sqlite(e, impl_->path(), "checkpointing the WAL");
  }
}

}  // namespace weft
