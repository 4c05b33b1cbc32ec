// SPDX-License-Identifier: MIT
#pragma once
// Private: the state behind SqliteStore, shared by its parts (checkpoint writes, loads, threads,
// leases, effects; one .cpp each). Its data is private and annotated with the mutex guarding it;
// the parts reach the connection through a DbLock and db().

#include "store/detail/async_writer.hpp"
#include "store/detail/db.hpp"
#include "store/detail/mutex.hpp"
#include "store/detail/process.hpp"
#include "store/sqlite_store.hpp"

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <variant>

namespace weft::store::detail {

/// One checkpoint row, fully encoded (so an async write copies no JSON tree).
struct CheckpointRow {
  std::string thread_id, ns, id, parent_id;
  std::int64_t step = 0;
  std::string source;
  std::int64_t created_at_ms = 0;
  std::string metadata, next, deltas;
  std::optional<std::string> snapshot;
  std::int64_t chain_len = 0, chain_bytes = 0, base_bytes = 0;
  std::string graph;                     ///< from metadata "graph", for a thread row created by this checkpoint
  std::string full_metadata, full_next;  ///< the texts before kSameAsParent substitution
  /// A loop checkpoint consumes its parent's ordinary pending writes (deleted in the same
  /// transaction); error/interrupt/resume writes stay for inspection.
  bool consumes_parent_writes = false;
};

struct WritesRow {
  std::string thread_id, ns, checkpoint_id, task_id, task_name, writes;
  bool keep = false;  ///< holds an error, interrupt or resume write: kept after consumption
  std::int64_t created_at_ms = 0;
};

/// A thread status change (set_thread_status), queued like the puts around it.
struct StatusRow {
  std::string thread_id, status, graph, metadata;
  std::int64_t at_ms = 0;
};

/// The release of a lease, queued behind the writes of the run that held it.
struct LeaseReleaseRow {
  std::string thread_id, token;
};

using WriteJob = std::variant<CheckpointRow, WritesRow, StatusRow, LeaseReleaseRow>;

/// Snapshot bookkeeping of a stored checkpoint (the parent of the next one).
struct ChainInfo {
  std::string id;
  std::int64_t chain_len = 0, chain_bytes = 0, base_bytes = 0;
  std::string metadata, next;  ///< the row's texts as written by this process ("" unknown)
};

/// Stored in place of `metadata` or `next` when the text equals the parent row's (a run repeats
/// the same metadata and usually the same `next` every step). Never valid JSON, so unambiguous.
inline constexpr std::string_view kSameAsParent = "=";

/// One row of a chain being loaded, its JSON already parsed into the chain's arena. Only the
/// head's record is read in full (LoadedChain::head); a row older than the head keeps its id
/// (for error messages) and what folding needs.
struct ChainRow {
  boost::json::string id;     ///< in the chain's arena
  boost::json::value deltas;  ///< parsed `deltas` (null for a snapshot row unless it is the head)
  std::optional<boost::json::object> snapshot;
};

/// A checkpoint's chain as read by a load: the requested row first, its nearest snapshot last.
struct LoadedChain {
  /// One arena for every value parsed from the chain; the folded state is handed out in it.
  boost::json::storage_ptr storage;
  CheckpointRecord head;       ///< the requested row's fixed columns (metadata, next, deltas: below)
  std::string base_parent_id;  ///< parent_id of the last row read (the fold's base)
  std::vector<ChainRow> rows;
  std::optional<std::string> metadata, next;  ///< the head's texts, same-as-parent resolved
};

/// The last checkpoint a load decoded, kept so that further loads of it (warm get_state calls)
/// copy it instead of reading and folding the chain again. Valid only while the database is
/// exactly as it was: no commit by another connection (PRAGMA data_version unchanged) and no
/// change by this one (sqlite3_total_changes unchanged). A checkpoint decoded once is only
/// noted (`values` empty): its first caller gets the decoded state itself, with no copy kept,
/// and the copy is kept when the same checkpoint is decoded a second time.
struct LoadedCheckpoint {
  std::string thread_id, ns;
  std::int64_t data_version = -1;
  std::int64_t total_changes = -1;
  bool latest = false;  ///< loaded as "the latest" (an explicit id may be an older one)
  CheckpointRecord record;
  std::optional<boost::json::object> values;  ///< empty: decoded once, not kept
};

/// SqliteStore::process_stats.
struct ProcessCounters {
  std::atomic<std::uint64_t> opened{0};
  std::atomic<std::uint64_t> decoded{0};  ///< chains read from the file and folded
  std::atomic<std::uint64_t> reused{0};   ///< served from the last decoded checkpoint
};
ProcessCounters& process_counters() noexcept;

class DbLock;

/// Thread safety: every public member may be called from any thread. Locking order: db_mutex_
/// before lease_mutex_ and chain_mutex_ (never the other way); db_mutex_ is never held while
/// waiting for the async writer (whose commits take db_mutex_). Clang checks the annotations.
class SqliteStoreImpl : public std::enable_shared_from_this<SqliteStoreImpl> {
 public:
  SqliteStoreImpl(const std::string& path, SqliteOptions options);
  ~SqliteStoreImpl();

  const std::string& path() const noexcept { return path_; }
  const SqliteOptions& options() const noexcept { return options_; }
  /// The store's clock (SqliteOptions::clock) in milliseconds since the Unix epoch.
  std::int64_t now_ms() const { return options_.clock->now_ms(); }
  /// The one connection; hold a DbLock on this store to use it.
  Db& db() REQUIRES(db_mutex_) { return *db_; }

  // --- checkpoint writes (sqlite_store.cpp)
  /// Encodes a record, deciding delta-only or snapshot from its parent's chain (cache, else a query).
  CheckpointRow encode(const CheckpointRecord& record, const boost::json::object& values)
      EXCLUDES(db_mutex_, chain_mutex_);
  void write(WriteJob job, Durability durability) EXCLUDES(db_mutex_);
  void execute_row(const StatusRow& row) REQUIRES(db_mutex_);
  void execute_row(const LeaseReleaseRow& row) REQUIRES(db_mutex_) EXCLUDES(lease_mutex_);
  /// True when the latest put used async or exit durability: status changes and lease releases
  /// then queue behind it instead of waiting for the writer and committing on their own.
  bool deferring() const noexcept { return last_put_deferred_.load(std::memory_order_relaxed); }
  /// Queues a status change or lease release behind earlier async writes (see deferring()).
  /// Readers of checkpoints do not wait for these (flush_checkpoints()).
  void push_deferred(WriteJob job);
  /// Waits until every queued write is committed.
  void flush() EXCLUDES(db_mutex_);
  /// Waits until every queued checkpoint and task-writes row is committed (what get/list/encode
  /// read); queued status changes and lease releases may stay queued.
  void flush_checkpoints() EXCLUDES(db_mutex_);
  void require_writable() const;

  // --- threads (threads.cpp)
  /// Forgets what this store cached about a deleted thread: its threads row, its chain heads and
  /// its held lease (the caller deleted them in the file).
  void forget_thread(const std::string& thread_id) REQUIRES(db_mutex_) EXCLUDES(chain_mutex_, lease_mutex_);

  // --- loads (load.cpp)
  /// get() without the flush and the lock: the caller holds db_mutex_ (maybe in a transaction).
  /// `may_keep` false: the caller is about to change the file (a run's start takes the lease in
  /// the same transaction), which makes any copy kept for reuse stale at once, so none is made.
  std::optional<CheckpointTuple> load_locked(const std::string& thread_id, const std::string& ns,
                                             const std::string& checkpoint_id, bool may_keep = true)
      REQUIRES(db_mutex_);

  // --- leases (lease.cpp)
  /// A lease this store holds: its row's token, and when its last renewal (or its acquisition)
  /// was started by the store clock's steady time (lease_clock.hpp).
  struct HeldLease {
    std::string token;
    std::chrono::steady_clock::time_point sent_at;
  };
  /// Takes the thread's lease in the caller's transaction and returns it; throws thread_busy.
  /// Call hold_lease() with it once that transaction committed.
  HeldLease take_lease_locked(const std::string& thread_id) REQUIRES(db_mutex_) EXCLUDES(lease_mutex_);
  /// Starts renewing a lease taken by take_lease_locked and returns the engine's handle on it.
  std::unique_ptr<ThreadLease> hold_lease(const std::string& thread_id, HeldLease lease) EXCLUDES(lease_mutex_);
  void release_lease(const std::string& thread_id, const std::string& token) noexcept EXCLUDES(db_mutex_, lease_mutex_);
  /// Whether a live process (or an unexpired lease) holds the thread; false when no lease row.
  bool lease_held_by_live_owner(const std::string& thread_id) REQUIRES(db_mutex_);
  /// Throws thread_busy if a live owner other than this store holds the lease.
  void check_not_leased_by_other(const std::string& thread_id) REQUIRES(db_mutex_) EXCLUDES(lease_mutex_);
  /// After break_lease removed the row: if this store held the lease, its next put throws lease_lost.
  void mark_lease_broken(const std::string& thread_id) EXCLUDES(lease_mutex_);
  /// SqliteStore::renew_leases (throws SQLite::Exception).
  void renew_leases() EXCLUDES(db_mutex_, lease_mutex_);
  /// SqliteStore::confirm_may_act (lease_clock.hpp; throws lease_lost, or SQLite::Exception).
  void confirm_may_act(const std::string& thread_id) EXCLUDES(db_mutex_, lease_mutex_);

 private:
  friend class DbLock;

  // checkpoint writes (sqlite_store.cpp)
  /// Makes `row` the known chain head of its (thread, ns).
  void remember(const CheckpointRow& row) EXCLUDES(chain_mutex_);
  void execute(const WriteJob& job) REQUIRES(db_mutex_);  // inside a transaction
  void execute_row(const CheckpointRow& row) REQUIRES(db_mutex_);
  void execute_row(const WritesRow& row) REQUIRES(db_mutex_);
  void commit_batch(std::vector<WriteJob>& batch) EXCLUDES(db_mutex_);

  // loads (load.cpp)
  bool read_chain(SQLite::Statement& q, const std::string& thread_id, const std::string& ns, std::string_view head_id,
                  std::size_t max_skipped, LoadedChain& out);
  std::optional<CheckpointTuple> fold_chain(const std::string& thread_id, const std::string& ns, LoadedChain& chain);
  /// (data_version, total_changes) of the connection now.
  std::pair<std::int64_t, std::int64_t> db_versions() REQUIRES(db_mutex_);
  /// The last decoded checkpoint when it is still what a load of (thread, ns, id) would read
  /// (its values may not have been kept).
  const LoadedCheckpoint* reusable(const std::string& thread_id, const std::string& ns, const std::string& id,
                                   std::pair<std::int64_t, std::int64_t> versions) const REQUIRES(db_mutex_);
  void read_pending_writes(CheckpointTuple& out) REQUIRES(db_mutex_);

  // leases (lease.cpp)
  void throw_if_lease_lost(const std::string& thread_id) EXCLUDES(lease_mutex_);
  /// Renews the given held leases (thread -> lease) in one transaction; those found broken or
  /// taken over become lost, the others get a new sent_at.
  void renew(const std::map<std::string, HeldLease>& held) EXCLUDES(db_mutex_, lease_mutex_);
  void heartbeat_loop() EXCLUDES(db_mutex_, lease_mutex_);
  void stop_heartbeat() noexcept EXCLUDES(lease_mutex_);

  const std::string path_;
  const SqliteOptions options_;

  Mutex db_mutex_;
  std::unique_ptr<Db> db_ PT_GUARDED_BY(db_mutex_);
  std::unordered_set<std::string> known_threads_ GUARDED_BY(db_mutex_);  // threads rows known to exist
  std::optional<LoadedCheckpoint> last_loaded_ GUARDED_BY(db_mutex_);

  Mutex chain_mutex_;
  /// (thread '\0' ns) -> the last checkpoint written there.
  std::unordered_map<std::string, ChainInfo> last_chain_ GUARDED_BY(chain_mutex_);

  AsyncWriter<WriteJob> writer_;
  std::atomic<bool> last_put_deferred_{false};

  Mutex lease_mutex_;
  std::map<std::string, HeldLease> held_leases_ GUARDED_BY(lease_mutex_);  // by thread
  /// thread -> token of a lease this store released whose row deletion is still queued: a new
  /// acquisition of the thread by this store may take it over.
  std::map<std::string, std::string> releasing_leases_ GUARDED_BY(lease_mutex_);
  std::set<std::string> lost_leases_ GUARDED_BY(lease_mutex_);
  std::atomic<bool> any_lost_{false};  // lost_leases_ is not empty (read without the lock)
  CondVar heartbeat_wake_;
  bool heartbeat_stop_ GUARDED_BY(lease_mutex_) = false;
  std::thread heartbeat_;  // started and joined under lease_mutex_ / after heartbeat_stop_
};

/// Holds a store's connection for its scope: `DbLock lock(impl); WriteTxn txn(impl.db());`.
class SCOPED_CAPABILITY DbLock {
 public:
  explicit DbLock(SqliteStoreImpl& impl) ACQUIRE(impl.db_mutex_) : mutex_(impl.db_mutex_) { mutex_.lock(); }
  ~DbLock() RELEASE() { mutex_.unlock(); }
  DbLock(const DbLock&) = delete;
  DbLock& operator=(const DbLock&) = delete;

 private:
  Mutex& mutex_;
};

}  // namespace weft::store::detail
