// SPDX-License-Identifier: MIT
#include "engine/detail/checkpoints.hpp"

#include "engine/detail/ids.hpp"

#include <algorithm>

namespace weft::detail {

RunStores resolve_stores(const CompileOptions& options, const RunConfig& config) {
  RunStores stores;
  stores.checkpointer = config.checkpointer ? config.checkpointer : options.checkpointer;
  stores.journal = config.effect_journal    ? config.effect_journal
                   : options.effect_journal ? options.effect_journal
                                            : std::dynamic_pointer_cast<EffectJournal>(stores.checkpointer);
  return stores;
}

ListOptions latest_record_only() {
  ListOptions options;
  options.limit = 1;
  options.with_values = false;
  return options;
}

void CheckpointCursor::start_from(const CheckpointRecord& current, const std::string& latest_id) {
  id = current.id;
  step = current.step;
  sequence = std::max(checkpoint_sequence(current.id), checkpoint_sequence(latest_id));
}

bool CheckpointCursor::behind_latest() const noexcept { return checkpoint_sequence(id) < sequence; }

void CheckpointCursor::advance_unrecorded(std::int64_t new_step) {
  id = checkpoint_id_for(++sequence);
  step = new_step;
}

CheckpointRecord CheckpointCursor::advance(CheckpointSource source, std::int64_t new_step, boost::json::object metadata,
                                           boost::json::object next, std::vector<ChannelDelta> deltas,
                                           std::int64_t created_at_ms) {
  CheckpointRecord record;
  record.thread_id = thread_id;
  record.ns = ns;
  record.parent_id = std::move(id);
  record.id = checkpoint_id_for(++sequence);
  record.step = new_step;
  record.source = source;
  record.created_at_ms = created_at_ms;
  record.metadata = std::move(metadata);
  record.next = std::move(next);
  record.deltas = std::move(deltas);
  id = record.id;
  step = new_step;
  return record;
}

boost::json::object checkpoint_metadata(boost::json::object base, const std::string& graph, CheckpointSource source,
                                        const std::string& run_id) {
  if (!run_id.empty()) base["run_id"] = run_id;
  base["graph"] = graph;
  base["source"] = to_string(source);
  return base;
}

}  // namespace weft::detail
