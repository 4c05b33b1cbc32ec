// SPDX-License-Identifier: MIT
#pragma once
// MemoryCheckpointer: a Checkpointer and EffectJournal kept in process memory, for tests,
// benchmarks and runs that need no persistence.
//
// It stores what the engine gives it the way a durable store would: each checkpoint's deltas,
// plus a full snapshot every `snapshot_interval` checkpoints of a chain, so a long append-only
// history costs memory proportional to what changed (no quadratic copying). Reading a checkpoint
// folds the deltas since the nearest snapshot.

#include "engine/checkpointer.hpp"
#include "engine/clock.hpp"
#include "engine/effect_journal.hpp"

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace weft {

class MemoryCheckpointer final : public Checkpointer, public EffectJournal {
 public:
  /// `snapshot_interval`: a snapshot is kept every that many checkpoints along a parent chain
  /// (>= 1; 1 keeps every state in full). Default 32. `clock` stamps thread and journal times
  /// (created/updated/started/finished); null: system_clock().
  explicit MemoryCheckpointer(std::size_t snapshot_interval = 32, std::shared_ptr<Clock> clock = {});
  ~MemoryCheckpointer() override;

  // Checkpointer (durability is ignored: memory is as durable as it gets). Thread-safe.
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
  void delete_thread(const std::string& thread_id) override;
  /// The awaitable operations are the synchronous ones, inline: the engine calls those directly.
  bool completes_inline() const noexcept override { return true; }

  // EffectJournal. Thread-safe.
  EffectEntry find(const std::string& thread_id, const std::string& key) override;
  void begin(const std::string& thread_id, const std::string& key) override;
  void begin_request(const std::string& thread_id, const std::string& key, const std::string& request_digest) override;
  void finish(const std::string& thread_id, const std::string& key, const boost::json::value& result) override;
  void abandon(const std::string& thread_id, const std::string& key) override;

  /// Introspection for tests: checkpoints stored for (thread, ns) and how many hold a snapshot.
  std::size_t checkpoint_count(const std::string& thread_id, const std::string& ns = {}) const;
  std::size_t snapshot_count(const std::string& thread_id, const std::string& ns = {}) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;  // holds the data and the mutex guarding it
};

}  // namespace weft
