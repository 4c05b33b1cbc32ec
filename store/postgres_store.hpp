// SPDX-License-Identifier: MIT
#pragma once
// PostgresStore: Weft's store in a PostgreSQL database, for runs shared by many processes and
// machines. It implements the same engine interfaces as SqliteStore (Checkpointer, EffectJournal,
// NodeCache) with the same storage: per-step deltas plus geometrically spaced snapshots, pending
// writes, thread status, fenced leases and the effect journal. Tables and migrations are
// described in store/postgres_format.md; store::check() verifies the same invariants.
//
// Opening: `PostgresStore store("postgresql://user:password@host:5432/dbname")` (any libpq URL or
// key=value string; `postgres://` too). The constructor connects once to check the server and
// brings the schema up to date (one transaction under an advisory lock). Messages never show the
// password (redact_database_url()).
//
// I/O: the async_* operations (the only ones a run calls) send their queries with libpq's
// non-blocking API and await the connection's socket on the run's executor, so a slow database
// suspends only that run. The synchronous operations block the calling thread (CLI commands,
// tests). Connections come from a bounded pool (PostgresOptions::pool_size).
//
// Durability: every write is committed before the call (or the awaitable) completes, whatever the
// Durability asked: async and exit are accepted and behave as sync (never weaker). flush() is a
// no-op.
//
// Leases with fencing: a lease row carries an epoch raised by every acquisition. While this store
// holds a thread's lease, each write for that thread is one statement (or transaction) that also
// checks the lease row still has this store's epoch and token (locking it FOR SHARE until the
// commit): a holder that was paused past its lease, whose lease another process took over or an
// operator broke, can never commit again; its write throws store::error::lease_lost and changes
// nothing. A lease expires lease_ttl_ms after its last renewal (renewed every ttl/3 by a background
// thread), or at once when its holder is a dead process on the same host.

#include "engine/checkpointer.hpp"
#include "engine/clock.hpp"
#include "engine/effect_journal.hpp"
#include "engine/node_cache.hpp"
#include "store/error.hpp"
#include "store/sqlite_store.hpp"  // LeaseInfo

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace weft {

namespace store::postgres::detail {
class PostgresStoreImpl;
}

struct PostgresOptions {
  /// Connections at most (default 8). Callers beyond it wait (a run on its executor's timer).
  std::size_t pool_size = 8;
  /// How long a caller waits for a free connection before store::error::busy (default 30 s).
  std::chrono::milliseconds acquire_timeout{30'000};
  /// Connecting gives up after this many seconds, unless the URL sets connect_timeout (default 5).
  int connect_timeout_s = 5;
  /// Snapshot policy, as SqliteOptions (store/checkpoint_format.md).
  int snapshot_min_steps = 4;
  double snapshot_bytes_ratio = 2.0;
  int snapshot_max_steps = 1024;
  /// A lease not renewed for this long may be taken over (default 30 s), by the server's clock.
  std::int64_t lease_ttl_ms = 30'000;
  /// Only its steady time is used: when this process last renewed each lease it holds, so that a
  /// side effect starts only while the lease surely lasts (confirm_may_act). Default (null):
  /// system_clock().
  std::shared_ptr<Clock> clock{};
  /// As SqliteOptions::keep_consumed_writes (default false).
  bool keep_consumed_writes = false;
  /// Open without writing: no schema migration; every put throws. Default false.
  bool read_only = false;
};

/// Whether `db` names a PostgreSQL database (`postgresql://` or `postgres://`) rather than a file.
bool is_postgres_url(std::string_view db) noexcept;
/// `url` with its password replaced by `***`: the only form messages and logs may show.
std::string redact_database_url(std::string_view url);

/// Thread safety: every method may be called from any thread and from several runs at once.
/// Errors: weft::Error with a store::error code: open_failed (unreachable server, refused
/// password, unknown database), not_a_weft_store (a database of another application),
/// schema_too_new, thread_busy, lease_lost, effect_conflict, busy (pool exhausted), bad_record,
/// postgres (anything else, with the server's message and SQLSTATE). libpq and JSON errors never
/// escape otherwise.
class PostgresStore final : public Checkpointer, public EffectJournal, public NodeCache {
 public:
  /// Connects, checks and migrates the schema. Throws as above; nothing is written when the
  /// database belongs to another application or has a newer schema.
  explicit PostgresStore(const std::string& url, PostgresOptions options = {});
  /// Releases held leases and closes the connections.
  ~PostgresStore() override;
  PostgresStore(const PostgresStore&) = delete;
  PostgresStore& operator=(const PostgresStore&) = delete;

  // Checkpointer (contracts in engine/checkpointer.hpp).
  void put_writes(const TaskWrites& writes, Durability durability) override;
  void put_checkpoint(const CheckpointRecord& record, const boost::json::object& values,
                      Durability durability) override;
  std::optional<CheckpointTuple> get(const std::string& thread_id, const std::string& ns,
                                     const std::string& checkpoint_id = {}) override;
  std::vector<CheckpointTuple> list(const std::string& thread_id, const std::string& ns,
                                    const ListOptions& options = {}) override;
  void set_thread_status(const std::string& thread_id, ThreadStatus status, const std::string& graph,
                         const boost::json::object& metadata) override;
  std::optional<ThreadInfo> thread(const std::string& thread_id) override;
  std::vector<ThreadInfo> threads() override;
  /// Throws thread_busy if another live owner holds the thread's lease.
  void delete_thread(const std::string& thread_id) override;
  /// Takes over an expired lease or one whose holder died (same host); otherwise throws
  /// thread_busy naming the holder. The same store asking twice also gets thread_busy.
  std::unique_ptr<ThreadLease> acquire_lease(const std::string& thread_id) override;
  RunStart start_run(const std::string& thread_id, const std::string& checkpoint_id) override;
  void flush() override;

  boost::asio::awaitable<void> async_put_writes(TaskWrites writes, Durability durability) override;
  boost::asio::awaitable<void> async_put_checkpoint(CheckpointRecord record, const boost::json::object* values,
                                                    Durability durability) override;
  boost::asio::awaitable<std::optional<CheckpointTuple>> async_get(std::string thread_id, std::string ns,
                                                                   std::string checkpoint_id) override;
  boost::asio::awaitable<std::vector<CheckpointTuple>> async_list(std::string thread_id, std::string ns,
                                                                  ListOptions options) override;
  boost::asio::awaitable<void> async_set_thread_status(std::string thread_id, ThreadStatus status, std::string graph,
                                                       boost::json::object metadata) override;
  boost::asio::awaitable<RunStart> async_start_run(std::string thread_id, std::string checkpoint_id) override;
  boost::asio::awaitable<void> async_flush() override;

  // EffectJournal (contracts in engine/effect_journal.hpp); fenced like checkpoints.
  EffectEntry find(const std::string& thread_id, const std::string& key) override;
  void begin(const std::string& thread_id, const std::string& key) override;
  void begin_request(const std::string& thread_id, const std::string& key, const std::string& request_digest) override;
  void finish(const std::string& thread_id, const std::string& key, const boost::json::value& result) override;
  void abandon(const std::string& thread_id, const std::string& key) override;
  /// While this store holds the thread's lease: returns if the lease has at least a third of
  /// lease_ttl_ms left by options.clock's steady time since its last renewal was sent, renewing
  /// it first (fenced by its epoch) when not; throws lease_lost when it was broken or taken over,
  /// or is still too close to expiry after renewing. Returns for a thread it holds no lease on.
  void confirm_may_act(const std::string& thread_id) override;
  boost::asio::awaitable<void> async_confirm_may_act(std::string thread_id) override;
  boost::asio::awaitable<EffectEntry> async_find(std::string thread_id, std::string key) override;
  boost::asio::awaitable<void> async_begin_request(std::string thread_id, std::string key,
                                                   std::string request_digest) override;
  boost::asio::awaitable<void> async_finish(std::string thread_id, std::string key, boost::json::value result) override;
  boost::asio::awaitable<void> async_abandon(std::string thread_id, std::string key) override;

  // NodeCache (engine/node_cache.hpp).
  std::optional<boost::json::object> lookup(const std::string& node, const std::string& key,
                                            std::int64_t now_ms) override;
  void record(const std::string& node, const std::string& key, const boost::json::object& value,
              std::int64_t expires_at_ms) override;
  void clear(const std::string& node = {}) override;

  // Store-specific.
  /// The current holder of the thread's lease, if any (expired or not).
  std::optional<LeaseInfo> lease(const std::string& thread_id);
  /// Whether a live run holds the thread (as SqliteStore::has_live_run).
  bool has_live_run(const std::string& thread_id);
  /// Ends the thread's lease whoever holds it; its holder's next write throws lease_lost.
  bool break_lease(const std::string& thread_id);
  /// The URL with its password redacted.
  const std::string& url() const noexcept;

 private:
  std::shared_ptr<store::postgres::detail::PostgresStoreImpl> impl_;
};

}  // namespace weft
