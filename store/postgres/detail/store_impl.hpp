// SPDX-License-Identifier: MIT
#pragma once
// Private: the state behind PostgresStore and its operations, each written once as a coroutine
// over a pooled connection. The synchronous interface runs the same coroutine to completion on a
// private io_context (blocking()); the awaitable interface awaits it on the run's executor.
// Parts: writes.cpp (encoding and fenced puts), load.cpp (get, list), threads.cpp (threads and
// leases), effects.cpp (effect journal and node cache).

#include "store/postgres/detail/pool.hpp"
#include "store/postgres_store.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace weft::store::postgres::detail {

/// Runs `op` to completion on the calling thread (for the synchronous interfaces).
template <class T>
T blocking(boost::asio::awaitable<T> op) {
  boost::asio::io_context io;
  auto result = boost::asio::co_spawn(io, std::move(op), boost::asio::use_future);
  io.run();
  return result.get();
}

/// The server's clock in Unix milliseconds, as an SQL expression (leases are judged by one clock).
#define WEFT_PG_NOW_MS "(extract(epoch FROM clock_timestamp()) * 1000)::bigint"

/// The fence of every write for a thread, the head of a WITH: $1 thread_id, $2 the fence epoch
/// (NULL: this store holds no lease on the thread, no fence), $3 the fence token. CTE `allowed`
/// has a row iff the write may go ahead; the lease row stays locked (FOR SHARE) until the
/// statement commits, so a takeover waits for it and then sees the new epoch.
#define WEFT_PG_FENCE                                                                    \
  "WITH lease AS (SELECT 1 FROM weft_leases WHERE thread_id = $1 AND epoch = $2::bigint" \
  "                 AND owner_token = $3 FOR SHARE),"                                    \
  " allowed AS (SELECT 1 AS ok WHERE $2::bigint IS NULL UNION ALL SELECT 1 FROM lease) "

/// What a write for a thread must find in the lease row: this store's epoch and token while it
/// holds the thread's lease; nothing (no fence) otherwise.
struct Fence {
  std::optional<std::int64_t> epoch;
  std::string token;
};

/// Snapshot bookkeeping of the last checkpoint written per (thread, ns): the parent of the next.
struct ChainInfo {
  std::string id;
  std::int64_t chain_len = 0, chain_bytes = 0, base_bytes = 0;
  std::string metadata, next;                    ///< full texts ("" unknown)
  std::optional<std::int64_t> written_at_epoch;  ///< the fence it was written under (none: unfenced or unknown)
};

class PostgresStoreImpl : public std::enable_shared_from_this<PostgresStoreImpl> {
 public:
  PostgresStoreImpl(const std::string& url, PostgresOptions options);
  ~PostgresStoreImpl();

  // writes.cpp
  boost::asio::awaitable<void> put_writes(const TaskWrites& writes);
  boost::asio::awaitable<void> put_checkpoint(const CheckpointRecord& record, const boost::json::object& values);
  // load.cpp
  boost::asio::awaitable<std::optional<CheckpointTuple>> get(const std::string& thread_id, const std::string& ns,
                                                             const std::string& checkpoint_id);
  boost::asio::awaitable<std::vector<CheckpointTuple>> list(const std::string& thread_id, const std::string& ns,
                                                            const ListOptions& options);
  // threads.cpp
  boost::asio::awaitable<void> set_thread_status(const std::string& thread_id, ThreadStatus status,
                                                 const std::string& graph, const boost::json::object& metadata);
  boost::asio::awaitable<std::vector<ThreadInfo>> threads(const std::string* only);
  boost::asio::awaitable<void> delete_thread(const std::string& thread_id);
  boost::asio::awaitable<std::unique_ptr<ThreadLease>> acquire_lease(const std::string& thread_id);
  boost::asio::awaitable<std::optional<LeaseInfo>> lease(const std::string& thread_id);
  boost::asio::awaitable<bool> has_live_run(const std::string& thread_id);
  boost::asio::awaitable<bool> break_lease(const std::string& thread_id);
  void release_lease(const std::string& thread_id, const std::string& token) noexcept;
  // effects.cpp
  boost::asio::awaitable<EffectEntry> find(const std::string& thread_id, const std::string& key);
  boost::asio::awaitable<void> begin(const std::string& thread_id, const std::string& key,
                                     const std::string& request_digest);
  boost::asio::awaitable<void> finish(const std::string& thread_id, const std::string& key,
                                      const boost::json::value& result);
  boost::asio::awaitable<void> abandon(const std::string& thread_id, const std::string& key);
  boost::asio::awaitable<std::optional<boost::json::object>> lookup(const std::string& node, const std::string& key,
                                                                    std::int64_t now_ms);
  boost::asio::awaitable<void> record(const std::string& node, const std::string& key, const boost::json::object& value,
                                      std::int64_t expires_at_ms);
  boost::asio::awaitable<void> clear(const std::string& node);

  /// EffectJournal::confirm_may_act for PostgresStore (threads.cpp, lease_clock.hpp).
  boost::asio::awaitable<void> confirm_may_act(const std::string& thread_id);

  /// The fence for writes to `thread_id` (threads.cpp).
  Fence fence(const std::string& thread_id);
  /// $1..$3 of a WEFT_PG_FENCE statement for `thread_id` (threads.cpp).
  Params fenced_params(const std::string& thread_id);
  /// The same for a fence already read (so that one write decides and sends under one fence).
  static Params fenced_params(const Fence& fence, const std::string& thread_id);
  /// Throws lease_lost for a fenced write that found its lease gone.
  [[noreturn]] void throw_lease_lost(const std::string& thread_id, std::string_view doing);
  void require_writable() const;

  const std::string redacted_url_;
  const PostgresOptions options_;
  std::shared_ptr<Pool> pool_;

  std::mutex chain_mutex_;
  std::unordered_map<std::string, ChainInfo> last_chain_;  // thread '\0' ns -> last written (chain_mutex_)

  struct HeldLease {
    std::int64_t epoch = 0;
    std::string token;
    /// When the last renewal (or the acquisition) was sent, by options_.clock's steady time.
    std::chrono::steady_clock::time_point sent_at;
  };
  /// Records a renewal of (thread, lease) sent at `sent_at`: a new sent_at when `kept`, else the
  /// lease becomes lost (taken over or broken). Nothing when the thread is held under another token.
  void renewed(const std::string& thread_id, const HeldLease& lease, std::chrono::steady_clock::time_point sent_at,
               bool kept);
  std::mutex lease_mutex_;
  std::map<std::string, HeldLease> held_leases_;  // (lease_mutex_)
  /// Leases this store found taken over (throw_lease_lost): their threads stay fenced with the
  /// stale epoch, so nothing more this store writes for them (a status after the run failed
  /// included) goes through, until it acquires the thread again. (lease_mutex_)
  std::map<std::string, HeldLease> lost_leases_;
  std::condition_variable heartbeat_wake_;
  bool heartbeat_stop_ = false;
  std::thread heartbeat_;
  void heartbeat_loop();
  void stop_heartbeat() noexcept;
};

}  // namespace weft::store::postgres::detail
