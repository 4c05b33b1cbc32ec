// SPDX-License-Identifier: MIT
#pragma once
// SqliteStore: Weft's durable store. One SQLite file (SQLiteCpp) holds checkpoints as per-step
// deltas plus periodic snapshots, pending task writes, thread status, per-thread leases and the
// effect journal. The file format is described in store/checkpoint_format.md.
//
// Durability (the Durability passed to each put):
//   sync  - the write is committed before the call returns. With synchronous=NORMAL (default) a
//           committed step survives a process crash; an OS crash or power loss may lose the last
//           steps (never corrupts). synchronous=FULL also survives power loss, at an fsync per commit.
//   async - the write is serialised on the caller's thread and queued; a writer thread commits
//           queued writes in order, several per transaction. flush() waits; a failed commit is
//           reported by the next call (weft::Error, store::error::write_failed) and the store then
//           refuses further writes. A process crash loses what was still queued.
//   exit  - treated like async by the store: the engine decides to write only at the end of a run.
// Effect-journal begin()/finish()/abandon() are always committed before returning.

#include "engine/checkpointer.hpp"
#include "engine/clock.hpp"
#include "engine/effect_journal.hpp"
#include "engine/node_cache.hpp"
#include "store/error.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace weft {

namespace store::detail {
class SqliteStoreImpl;
}

struct SqliteOptions {
  enum class Synchronous { normal, full };
  /// PRAGMA synchronous. Default normal: WAL + NORMAL survives process crashes; full: power loss too.
  Synchronous synchronous = Synchronous::normal;
  /// How long a statement waits for another connection's lock before failing with store::error::busy.
  /// Default 5000 ms.
  int busy_timeout_ms = 5000;
  /// A checkpoint is written as a full snapshot (besides its deltas) when its chain of deltas since
  /// the nearest snapshot is at least snapshot_min_steps long (default 4) and those deltas weigh
  /// at least snapshot_bytes_ratio x the snapshot they fold onto (default 2.0), or when the chain
  /// reaches snapshot_max_steps (default 1024). Snapshots of a growing state are thus spaced
  /// geometrically (total bytes stay linear in the history) and loading replays at most about as
  /// many bytes as the state holds. A thread's first checkpoint, and one whose parent is not stored,
  /// is always a snapshot.
  int snapshot_min_steps = 4;
  double snapshot_bytes_ratio = 2.0;
  int snapshot_max_steps = 1024;
  /// A lease not renewed for this long may be taken over by another process (default 30 s). The
  /// store renews the leases it holds every lease_ttl_ms / 3 from a background thread.
  std::int64_t lease_ttl_ms = 30'000;
  /// The time leases are taken, renewed and expire by, and the rows' timestamps (effects, cache,
  /// thread status). Default (null): system_clock(). The heartbeat's period is real time; a test
  /// with a ManualClock renews by calling renew_leases().
  std::shared_ptr<Clock> clock{};
  /// Pending writes are consumed by the next loop checkpoint on their checkpoint: by default the
  /// ordinary ones are deleted in that checkpoint's transaction (they duplicate its deltas), and
  /// only error/interrupt/resume writes stay for inspection. true keeps them all. Default false.
  bool keep_consumed_writes = false;
  /// Group commit for async/exit durability: the writer thread lets queued writes accumulate this
  /// long after the first one before committing them in one transaction (flush() and 1024 queued
  /// writes cut it short). Default 2 ms; 0 commits as soon as the writer wakes. A crash loses what
  /// is queued either way.
  double async_commit_delay_ms = 2.0;
  /// Open without writing: no schema creation or migration; every put throws. Default false.
  bool read_only = false;
  /// PRAGMA locking_mode = EXCLUSIVE (opt-in; default false). The store keeps the file locked from
  /// its first read until it is destroyed, so a commit skips SQLite's per-transaction lock calls
  /// (6 fcntl) and the WAL index lives in heap memory (no -shm file): a sync step costs about
  /// 11 us CPU instead of 15 us here (bench/README.md, store). The price: no other connection, in
  /// this or any process, can read or write the file meanwhile — `weft threads`, `weft check` or a
  /// second runner wait busy_timeout_ms and fail with store::error::busy, so leases never come
  /// into play. For a single process that owns its database. Ignored with read_only.
  bool exclusive_locking = false;
  /// PRAGMA mmap_size: up to this many bytes of the database file are read through a memory map
  /// instead of read calls (opt-in; default 0, off). A first load in a fresh process then pays
  /// page faults on the file's cached pages instead of ~150 preads: the growing-thread load
  /// (bench/README.md, store (d)) takes about 0.15 ms less CPU (1.38 ms instead of 1.54 ms). The
  /// price (SQLite's own warning): an I/O error on the disk, or another program truncating the file
  /// under the store, then arrives as a SIGBUS signal that kills the process instead of an error.
  /// WAL content is read by read calls either way. Negative values are rejected.
  std::int64_t mmap_size_bytes = 0;
};

/// Who holds a thread's lease.
struct LeaseInfo {
  std::string thread_id;
  std::int64_t pid = 0;
  std::string host;
  std::int64_t acquired_at_ms = 0;
  std::int64_t heartbeat_at_ms = 0;
  std::int64_t expires_at_ms = 0;
};

/// Implements the engine's Checkpointer, EffectJournal and NodeCache on one SQLite file.
/// Thread safety: every method may be called from any thread; one connection serves them under a
/// mutex. Several processes may open the same file; leases keep them off each other's threads.
/// Errors: weft::Error with a store::error code (store/error.hpp); SQLite and JSON exceptions never
/// escape. A lease returned by acquire_lease() keeps the store's internals alive until released.
/// Background threads: an async writer (first async put) and a lease heartbeat (first lease), both
/// joined by the destructor. Not fork-safe: a child process opens its own SqliteStore.
class SqliteStore final : public Checkpointer, public EffectJournal, public NodeCache {
 public:
  /// Opens (creating if absent) the store at `path`, migrating an older schema. Throws weft::Error:
  /// open_failed, not_a_database, not_a_weft_store, corrupt (e.g. truncated), schema_too_new.
  explicit SqliteStore(const std::string& path, SqliteOptions options = {});
  /// Commits queued asynchronous writes (errors are swallowed: call flush() first to see them),
  /// releases held leases and closes the file.
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  // Checkpointer (contracts in engine/checkpointer.hpp).
  void put_writes(const TaskWrites& writes, Durability durability) override;
  void put_checkpoint(const CheckpointRecord& record, const boost::json::object& values,
                      Durability durability) override;
  /// Loads with one query (a scan of the thread's rows down the parent chain to the nearest
  /// snapshot, deltas folded in order) plus one for the pending writes. The last checkpoint
  /// loaded is kept decoded: loading it again while the file is unchanged (no commit by anyone
  /// since) copies it instead of reading the chain. Queued asynchronous checkpoints and writes
  /// are committed first (queued status changes and lease releases need not be). Throws
  /// bad_record for undecodable rows.
  std::optional<CheckpointTuple> get(const std::string& thread_id, const std::string& ns,
                                     const std::string& checkpoint_id = {}) override;
  /// History in two queries whatever its length (checkpoints, then all their pending writes).
  std::vector<CheckpointTuple> list(const std::string& thread_id, const std::string& ns,
                                    const ListOptions& options = {}) override;
  /// Follows the durability of the latest put: after an async/exit put it is queued behind it
  /// (committed in order with the run's checkpoints), otherwise committed before returning.
  void set_thread_status(const std::string& thread_id, ThreadStatus status, const std::string& graph,
                         const boost::json::object& metadata) override;
  std::optional<ThreadInfo> thread(const std::string& thread_id) override;
  std::vector<ThreadInfo> threads() override;
  /// Throws thread_busy if another live process holds the thread's lease.
  void delete_thread(const std::string& thread_id) override;
  /// The awaitable operations are the synchronous ones, inline: the engine calls those directly.
  bool completes_inline() const noexcept override { return true; }
  /// Records (pid, host, start time, heartbeat, expiry) in the leases table. Takes over a lease
  /// whose owner is dead (same host, pid gone or reused) or expired; otherwise throws thread_busy
  /// ("thread 'x' is being run by pid N on host H since <UTC time> ..."). The same store asking
  /// twice for a thread it holds also gets thread_busy (one run per thread at a time); a lease it
  /// released whose deletion is still queued is free to take again. Committed before returning.
  /// Releasing (destroying the lease) is queued behind the run's async writes, or committed at
  /// once after a flush when the run wrote synchronously.
  std::unique_ptr<ThreadLease> acquire_lease(const std::string& thread_id) override;
  /// acquire_lease and get (root namespace) in one write transaction: one commit, no separate
  /// read. The lease is taken only if the load succeeds.
  RunStart start_run(const std::string& thread_id, const std::string& checkpoint_id) override;
  void flush() override;

  // EffectJournal (contracts in engine/effect_journal.hpp).
  EffectEntry find(const std::string& thread_id, const std::string& key) override;
  /// Committed before returning, whatever the durability of checkpoints. Beginning a `started`
  /// entry again is allowed (its caller reconciled it: it did not happen); a `done` entry throws
  /// effect_conflict.
  void begin(const std::string& thread_id, const std::string& key) override;
  void begin_request(const std::string& thread_id, const std::string& key, const std::string& request_digest) override;
  /// Records the result (also for an entry never begun: reconciling an in-doubt effect).
  void finish(const std::string& thread_id, const std::string& key, const boost::json::value& result) override;
  void abandon(const std::string& thread_id, const std::string& key) override;
  /// While this store holds the thread's lease: returns if the lease has at least a third of
  /// lease_ttl_ms left by the clock's steady time since its last renewal was sent, renewing it
  /// first when not; throws lease_lost when it was broken or taken over, or is still too close to
  /// expiry after renewing. Returns for a thread this store holds no lease on.
  void confirm_may_act(const std::string& thread_id) override;

  // NodeCache (engine/node_cache.hpp), the `node_cache` table. record() commits before returning;
  // an expired entry is deleted when it is looked up.
  std::optional<boost::json::object> lookup(const std::string& node, const std::string& key,
                                            std::int64_t now_ms) override;
  void record(const std::string& node, const std::string& key, const boost::json::object& value,
              std::int64_t expires_at_ms) override;
  void clear(const std::string& node = {}) override;

  // Store-specific.
  /// The current holder of the thread's lease, if any (expired or not).
  std::optional<LeaseInfo> lease(const std::string& thread_id);
  /// Whether a live run holds the thread: its lease belongs to a process alive on this host, or
  /// is unexpired (another host). A thread whose status reads `running` without one was left by a
  /// run that crashed or was killed; `weft threads` shows it `stale` and `weft resume` continues it.
  /// Works on a read-only store. Throws weft::Error from SQLite.
  bool has_live_run(const std::string& thread_id);
  /// Removes the thread's lease whoever holds it (an operator's "break lease"). Returns whether
  /// there was one. The former holder's next put for that thread throws lease_lost.
  bool break_lease(const std::string& thread_id);
  /// Renews every lease this store holds, now (what the heartbeat thread does every
  /// lease_ttl_ms / 3): each expiry becomes clock now + lease_ttl_ms. A lease found broken or
  /// taken over is dropped and its thread's next put throws lease_lost. Throws weft::Error (busy)
  /// when the database stays locked; the heartbeat then simply tries again next period.
  void renew_leases();
  /// Flushes, then copies the WAL into the main file and truncates it (PRAGMA wal_checkpoint(TRUNCATE)).
  void checkpoint_wal();
  const std::string& path() const noexcept;
  /// The value of a read-only PRAGMA on the store's connection ("journal_mode", "synchronous",
  /// "busy_timeout", "page_count", ...), for diagnostics. `name` must be a bare identifier.
  std::string read_pragma(const std::string& name);
  /// What the SqliteStores of this process did so far, for diagnostics and tests (`weft` prints
  /// them with WEFT_DEBUG_STORE=1): stores opened; loads (get, start_run) that read a chain from
  /// the file and folded it (`decoded`) or copied the last decoded checkpoint (`reused`, see
  /// get()). Thread safe (relaxed atomic counters).
  struct ProcessStats {
    std::uint64_t opened = 0;
    std::uint64_t decoded = 0;
    std::uint64_t reused = 0;
  };
  static ProcessStats process_stats() noexcept;

 private:
  std::shared_ptr<store::detail::SqliteStoreImpl> impl_;
};

}  // namespace weft
