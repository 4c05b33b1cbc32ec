// SPDX-License-Identifier: MIT
#pragma once
// The storage interface the engine runs against. The engine knows nothing of SQLite: stores
// (store/: in-memory, SQLite; later PostgreSQL) implement this.

#include "engine/checkpoint.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace weft {

/// When checkpoints become durable.
enum class Durability {
  sync,   ///< put_checkpoint returns after the step is committed; step N+1 starts after that
  async,  ///< put_checkpoint may return before the commit; commits stay in order; flush() waits
  exit,   ///< the engine writes only when the run ends (done, interrupt or error)
};

enum class ThreadStatus { running, interrupted, done, failed };
std::string_view to_string(ThreadStatus status) noexcept;

struct ThreadInfo {
  std::string thread_id;
  ThreadStatus status = ThreadStatus::running;
  std::string graph;  ///< name of the graph that last ran on the thread
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
  std::string latest_checkpoint_id;
  boost::json::object metadata;  ///< e.g. the error message of a failed run
};

struct ListOptions {
  std::optional<std::size_t> limit;  ///< default: all
  std::string before_id;             ///< only checkpoints with id < before_id; "" = no bound
  bool with_values = true;           ///< fold channel values for every listed checkpoint
};

/// Proof that this process may advance a thread. Releasing it (destruction) lets others run it.
class ThreadLease {
 public:
  virtual ~ThreadLease() = default;
};

/// Thread safety: implementations are safe to call from several threads; the engine calls one
/// thread's operations in order from the run's executor.
/// Errors: implementations throw weft::Error with a store error code naming what failed.
///
/// How the engine saves a superstep (what a crash can lose). A task that finishes while a sibling
/// of its step is still to run or running, or that fails or is interrupted, has its writes put at
/// once (put_writes). The task that completes a step in which every task succeeded is not put on
/// its own: its writes reach the store as the deltas of the step's checkpoint (put_checkpoint),
/// so a one-task step is one put and, under Durability::sync, one commit. If the step ends
/// without that checkpoint (a failing barrier, a cancel, a throwing stream sink), the engine puts
/// those writes before the run returns. Hence a process killed at any instant loses:
///   sync  - at most the writes of the last-finishing task of the step in progress (it re-runs on
///           resume; its ctx.effect calls are journaled, so they are not repeated);
///   async - in addition, whatever the store had not committed yet;
///   exit  - everything since the run began.
class Checkpointer {
 public:
  virtual ~Checkpointer() = default;

  /// Saves one task's writes against the checkpoint its step started from, replacing earlier writes
  /// of the same task. Durable before returning unless `durability` is async or exit.
  virtual void put_writes(const TaskWrites& writes, Durability durability) = 0;

  /// Saves a checkpoint. `values` is the full state after applying `record.deltas` (a store may
  /// snapshot it); the record's deltas are what changed since `record.parent_id`. A `loop`
  /// checkpoint holds every write of its step, so it consumes the pending writes saved against its
  /// parent (a store may drop the ordinary ones in the same transaction). Durable before returning
  /// unless `durability` is async or exit.
  virtual void put_checkpoint(const CheckpointRecord& record, const boost::json::object& values,
                              Durability durability) = 0;

  /// The checkpoint `checkpoint_id` of (thread, ns), or the latest when empty; nullopt if none.
  virtual std::optional<CheckpointTuple> get(const std::string& thread_id, const std::string& ns,
                                             const std::string& checkpoint_id = {}) = 0;

  /// Checkpoints of (thread, ns), newest first.
  virtual std::vector<CheckpointTuple> list(const std::string& thread_id, const std::string& ns,
                                            const ListOptions& options = {}) = 0;

  /// Records the thread's status and the graph running it (creates the thread on first call).
  virtual void set_thread_status(const std::string& thread_id, ThreadStatus status, const std::string& graph,
                                 const boost::json::object& metadata) = 0;
  virtual std::optional<ThreadInfo> thread(const std::string& thread_id) = 0;
  virtual std::vector<ThreadInfo> threads() = 0;
  /// Removes a thread, its checkpoints, writes and effect journal entries.
  virtual void delete_thread(const std::string& thread_id) = 0;

  /// Takes the right to advance `thread_id`; throws weft::Error (store::error::thread_busy) with
  /// "thread 'x' is being run by pid N since ..." when another live owner holds it. The default
  /// (single-process stores) grants it always.
  virtual std::unique_ptr<ThreadLease> acquire_lease(const std::string& thread_id);

  /// What a root run starts from: the right to advance the thread, and the checkpoint to continue.
  struct RunStart {
    std::unique_ptr<ThreadLease> lease;
    std::optional<CheckpointTuple> checkpoint;  ///< get(thread_id, "", checkpoint_id)
  };
  /// acquire_lease(thread_id), then get(thread_id, "", checkpoint_id): what the engine does when a
  /// root run starts. A store may do both in one transaction. Errors as those two; after a throw
  /// no lease is held.
  virtual RunStart start_run(const std::string& thread_id, const std::string& checkpoint_id) {
    RunStart start;
    start.lease = acquire_lease(thread_id);
    start.checkpoint = get(thread_id, "", checkpoint_id);
    return start;
  }

  /// Waits until everything put so far is durable (a no-op for sync stores).
  virtual void flush() {}

  // ---- Awaitable operations ---------------------------------------------------------------------
  // A run calls only these, from its executor, so a store operation never blocks that executor:
  // each completes on the awaiting coroutine's executor with the result (or the exception) of the
  // synchronous operation of the same name. The defaults call that operation inline, which suits
  // stores whose calls are quick and local (memory; SQLite on a local disk, whose async durability
  // already queues its commits), so they need no change and keep their speed; a store across the
  // network overrides them with real asynchronous I/O. Arguments are taken by value (coroutine
  // frames must not hold references to the caller's temporaries), except `values`, which must
  // stay valid until the awaitable completes. Cancellation: as the override's I/O allows; the
  // defaults complete without suspending.
  virtual boost::asio::awaitable<void> async_put_writes(TaskWrites writes, Durability durability);
  virtual boost::asio::awaitable<void> async_put_checkpoint(CheckpointRecord record, const boost::json::object* values,
                                                            Durability durability);
  virtual boost::asio::awaitable<std::optional<CheckpointTuple>> async_get(std::string thread_id, std::string ns,
                                                                           std::string checkpoint_id);
  virtual boost::asio::awaitable<std::vector<CheckpointTuple>> async_list(std::string thread_id, std::string ns,
                                                                          ListOptions options);
  virtual boost::asio::awaitable<void> async_set_thread_status(std::string thread_id, ThreadStatus status,
                                                               std::string graph, boost::json::object metadata);
  virtual boost::asio::awaitable<RunStart> async_start_run(std::string thread_id, std::string checkpoint_id);
  virtual boost::asio::awaitable<void> async_flush();

  /// True when this store's awaitable operations are its synchronous ones run inline (it keeps
  /// the defaults above): the engine then calls the synchronous operations directly, saving a
  /// coroutine frame per checkpoint and per put of writes (the frames cost a checkpointed step of
  /// an in-memory store 10-25 %). Default false, so a store that overrides the async_* operations
  /// is always awaited; a store that keeps the defaults may return true. Thread safe, constant.
  virtual bool completes_inline() const noexcept { return false; }
};

}  // namespace weft
