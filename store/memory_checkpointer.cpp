// SPDX-License-Identifier: MIT
#include "store/memory_checkpointer.hpp"

#include "store/detail/mutex.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <utility>

namespace weft {
namespace {

struct Stored {
  CheckpointRecord record;
  /// Full values when this checkpoint is a snapshot; null otherwise.
  std::shared_ptr<const boost::json::object> snapshot;
  /// Checkpoints since the nearest snapshot along the parent chain (0 for a snapshot).
  std::size_t depth = 0;
};

struct Chain {
  std::map<std::string, Stored> checkpoints;              // ids sort in creation order
  std::map<std::string, std::vector<TaskWrites>> writes;  // by checkpoint id
};

}  // namespace

struct MemoryCheckpointer::Impl {
  std::size_t snapshot_interval = 1;  // set once, by the constructor
  std::shared_ptr<Clock> clock;       // set once, by the constructor; stamps times
  std::int64_t wall_ms() const { return clock->now_ms(); }
  mutable store::detail::Mutex mutex;
  std::map<std::pair<std::string, std::string>, Chain> chains GUARDED_BY(mutex);  // (thread, ns)
  std::map<std::string, ThreadInfo> threads GUARDED_BY(mutex);
  std::map<std::pair<std::string, std::string>, EffectEntry> effects GUARDED_BY(mutex);  // (thread, key)

  const Chain* chain(const std::string& thread_id, const std::string& ns) const REQUIRES(mutex) {
    auto it = chains.find({thread_id, ns});
    return it == chains.end() ? nullptr : &it->second;
  }

  // Folds the deltas from the nearest snapshot up to `id`. The chain is walked iteratively, so
  // at most snapshot_interval deltas are replayed.
  boost::json::object fold(const Chain& chain, const std::string& id) const {
    std::vector<const Stored*> path;
    std::string cursor = id;
    while (!cursor.empty()) {
      auto it = chain.checkpoints.find(cursor);
      if (it == chain.checkpoints.end()) break;
      path.push_back(&it->second);
      if (it->second.snapshot) break;
      cursor = it->second.record.parent_id;
    }
    boost::json::object values;
    if (path.empty()) return values;
    auto rit = path.rbegin();
    if ((*rit)->snapshot) {
      values = *(*rit)->snapshot;
      ++rit;
    }
    StateFolder folder;  // messages merged through an id index, not a scan per message
    for (; rit != path.rend(); ++rit) {
      for (const ChannelDelta& delta : (*rit)->record.deltas) folder.apply(values, delta);
    }
    return values;
  }

  CheckpointTuple tuple(const Chain& chain, const Stored& stored, bool with_values) const {
    CheckpointTuple t;
    t.record = stored.record;
    if (with_values) t.values = fold(chain, stored.record.id);
    auto w = chain.writes.find(stored.record.id);
    if (w != chain.writes.end()) t.pending_writes = w->second;
    return t;
  }
};

MemoryCheckpointer::MemoryCheckpointer(std::size_t snapshot_interval, std::shared_ptr<Clock> clock)
    : impl_(std::make_unique<Impl>()) {
  impl_->snapshot_interval = snapshot_interval == 0 ? 1 : snapshot_interval;
  impl_->clock = clock ? std::move(clock) : system_clock();
}

MemoryCheckpointer::~MemoryCheckpointer() = default;

void MemoryCheckpointer::put_writes(const TaskWrites& writes, Durability) {
  store::detail::MutexLock lock(impl_->mutex);
  auto& list = impl_->chains[{writes.thread_id, writes.ns}].writes[writes.checkpoint_id];
  for (TaskWrites& existing : list) {
    if (existing.task_id == writes.task_id) {
      existing = writes;  // a re-run task (after an interrupt or error) supersedes its old writes
      return;
    }
  }
  list.push_back(writes);
}

void MemoryCheckpointer::put_checkpoint(const CheckpointRecord& record, const boost::json::object& values, Durability) {
  store::detail::MutexLock lock(impl_->mutex);
  Chain& chain = impl_->chains[{record.thread_id, record.ns}];
  Stored stored;
  stored.record = record;
  auto parent = record.parent_id.empty() ? chain.checkpoints.end() : chain.checkpoints.find(record.parent_id);
  if (parent == chain.checkpoints.end() || parent->second.depth + 1 >= impl_->snapshot_interval) {
    stored.snapshot = std::make_shared<const boost::json::object>(values);
    stored.depth = 0;
  } else {
    stored.depth = parent->second.depth + 1;
  }
  chain.checkpoints.insert_or_assign(record.id, std::move(stored));
  if (record.ns.empty()) {
    ThreadInfo& info = impl_->threads[record.thread_id];
    if (info.thread_id.empty()) {
      info.thread_id = record.thread_id;
      info.created_at_ms = impl_->wall_ms();
    }
    if (info.latest_checkpoint_id < record.id) info.latest_checkpoint_id = record.id;
    info.updated_at_ms = impl_->wall_ms();
  }
}

std::optional<CheckpointTuple> MemoryCheckpointer::get(const std::string& thread_id, const std::string& ns,
                                                       const std::string& checkpoint_id) {
  store::detail::MutexLock lock(impl_->mutex);
  const Chain* chain = impl_->chain(thread_id, ns);
  if (!chain || chain->checkpoints.empty()) return std::nullopt;
  auto it = checkpoint_id.empty() ? std::prev(chain->checkpoints.end()) : chain->checkpoints.find(checkpoint_id);
  if (it == chain->checkpoints.end()) return std::nullopt;
  return impl_->tuple(*chain, it->second, true);
}

std::vector<CheckpointTuple> MemoryCheckpointer::list(const std::string& thread_id, const std::string& ns,
                                                      const ListOptions& options) {
  store::detail::MutexLock lock(impl_->mutex);
  std::vector<CheckpointTuple> out;
  const Chain* chain = impl_->chain(thread_id, ns);
  if (!chain) return out;
  for (auto it = chain->checkpoints.rbegin(); it != chain->checkpoints.rend(); ++it) {
    if (options.limit && out.size() >= *options.limit) break;
    if (!options.before_id.empty() && !(it->first < options.before_id)) continue;
    out.push_back(impl_->tuple(*chain, it->second, options.with_values));
  }
  return out;
}

void MemoryCheckpointer::set_thread_status(const std::string& thread_id, ThreadStatus status, const std::string& graph,
                                           const boost::json::object& metadata) {
  store::detail::MutexLock lock(impl_->mutex);
  ThreadInfo& info = impl_->threads[thread_id];
  if (info.thread_id.empty()) {
    info.thread_id = thread_id;
    info.created_at_ms = impl_->wall_ms();
  }
  info.status = status;
  if (!graph.empty()) info.graph = graph;
  info.metadata = metadata;
  info.updated_at_ms = impl_->wall_ms();
}

std::optional<ThreadInfo> MemoryCheckpointer::thread(const std::string& thread_id) {
  store::detail::MutexLock lock(impl_->mutex);
  auto it = impl_->threads.find(thread_id);
  if (it == impl_->threads.end()) return std::nullopt;
  return it->second;
}

std::vector<ThreadInfo> MemoryCheckpointer::threads() {
  store::detail::MutexLock lock(impl_->mutex);
  std::vector<ThreadInfo> out;
  for (const auto& [id, info] : impl_->threads) out.push_back(info);
  return out;
}

void MemoryCheckpointer::delete_thread(const std::string& thread_id) {
  store::detail::MutexLock lock(impl_->mutex);
  impl_->threads.erase(thread_id);
  std::erase_if(impl_->chains, [&](const auto& item) { return item.first.first == thread_id; });
  std::erase_if(impl_->effects, [&](const auto& item) { return item.first.first == thread_id; });
}

EffectEntry MemoryCheckpointer::find(const std::string& thread_id, const std::string& key) {
  store::detail::MutexLock lock(impl_->mutex);
  auto it = impl_->effects.find({thread_id, key});
  return it == impl_->effects.end() ? EffectEntry{} : it->second;
}

void MemoryCheckpointer::begin(const std::string& thread_id, const std::string& key) {
  begin_request(thread_id, key, {});
}

void MemoryCheckpointer::begin_request(const std::string& thread_id, const std::string& key,
                                       const std::string& request_digest) {
  store::detail::MutexLock lock(impl_->mutex);
  EffectEntry& entry = impl_->effects[{thread_id, key}];
  entry.state = EffectState::started;
  entry.result = nullptr;
  entry.started_at_ms = impl_->wall_ms();
  entry.request_digest = request_digest;
}

void MemoryCheckpointer::finish(const std::string& thread_id, const std::string& key,
                                const boost::json::value& result) {
  store::detail::MutexLock lock(impl_->mutex);
  EffectEntry& entry = impl_->effects[{thread_id, key}];
  entry.state = EffectState::done;
  entry.result = result;
  entry.finished_at_ms = impl_->wall_ms();
}

void MemoryCheckpointer::abandon(const std::string& thread_id, const std::string& key) {
  store::detail::MutexLock lock(impl_->mutex);
  impl_->effects.erase({thread_id, key});
}

std::size_t MemoryCheckpointer::checkpoint_count(const std::string& thread_id, const std::string& ns) const {
  store::detail::MutexLock lock(impl_->mutex);
  const Chain* chain = impl_->chain(thread_id, ns);
  return chain ? chain->checkpoints.size() : 0;
}

std::size_t MemoryCheckpointer::snapshot_count(const std::string& thread_id, const std::string& ns) const {
  store::detail::MutexLock lock(impl_->mutex);
  const Chain* chain = impl_->chain(thread_id, ns);
  std::size_t n = 0;
  if (chain) {
    for (const auto& [id, stored] : chain->checkpoints) n += stored.snapshot ? 1 : 0;
  }
  return n;
}

}  // namespace weft
