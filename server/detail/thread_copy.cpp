// SPDX-License-Identifier: MIT
#include "server/detail/thread_copy.hpp"

#include "engine/error.hpp"
#include "engine/thread_copy.hpp"
#include "server/detail/api.hpp"
#include "server/detail/runs.hpp"
#include "server/detail/state.hpp"

#include <algorithm>
#include <map>

namespace json = boost::json;

namespace weft::server::detail {
namespace {

// What turns `parent` into `values`: a replace for every channel that is new or changed, a remove
// for every channel that is gone.
std::vector<ChannelDelta> full_deltas(const json::object& parent, const json::object& values) {
  std::vector<ChannelDelta> deltas;
  for (const auto& [key, value] : values) {
    const json::value* before = parent.if_contains(key);
    if (before == nullptr || *before != value) deltas.push_back({std::string(key), DeltaOp::replace, value});
  }
  for (const auto& [key, value] : parent)
    if (!values.contains(key)) deltas.push_back({std::string(key), DeltaOp::remove, nullptr});
  return deltas;
}

}  // namespace

ThreadRow copy_thread(ServerState& s, const ThreadRow& source) {
  for (const auto& run : s.runs->active_on(source.thread_id))
    if (run->row.status == "running")
      throw ApiError(409, "Thread '" + source.thread_id + "' is busy with run '" + run->row.run_id +
                              "'; copy it when the run has ended");
  Checkpointer& store = *s.environment.checkpointer;
  ThreadRow copy = source;
  copy.thread_id = random_uuid();
  copy.created_at_ms = copy.updated_at_ms = now_ms();
  try {
    std::vector<CheckpointTuple> checkpoints = store.list(source.thread_id, "");
    std::reverse(checkpoints.begin(), checkpoints.end());  // oldest first: parents before children
    // A store folds a checkpoint's deltas onto its parent's values, and with forks the parent
    // is not always the previous checkpoint: keep each one's values by id.
    std::map<std::string, json::object> values_by_id;
    const json::object none;
    for (CheckpointTuple& tuple : checkpoints) {
      CheckpointRecord record = tuple.record;
      record.thread_id = copy.thread_id;
      auto parent = values_by_id.find(record.parent_id);
      record.deltas = full_deltas(parent != values_by_id.end() ? parent->second : none, tuple.values);
      store.put_checkpoint(record, tuple.values, Durability::sync);
      for (const TaskWrites& writes : pending_writes_for_copy(tuple, source.thread_id, copy.thread_id))
        store.put_writes(writes, Durability::sync);
      values_by_id[record.id] = std::move(tuple.values);
    }
    if (auto info = store.thread(source.thread_id))
      store.set_thread_status(copy.thread_id, info->status, info->graph, info->metadata);
  } catch (const weft::Error& e) {
    store.delete_thread(copy.thread_id);
    throw api_error_of(e);
  }
  s.catalog->put_thread(copy);
  return copy;
}

}  // namespace weft::server::detail
