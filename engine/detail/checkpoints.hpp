// SPDX-License-Identifier: MIT
#pragma once
// Which stores a run or a state operation uses, and how a thread's next checkpoint is numbered
// and recorded: the one home of both, shared by the run loop and update_state.

#include "engine/checkpoint.hpp"
#include "engine/checkpointer.hpp"
#include "engine/effect_journal.hpp"
#include "engine/run_config.hpp"
#include "engine/state_graph.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace weft::detail {

/// The stores of one run or state operation.
struct RunStores {
  std::shared_ptr<Checkpointer> checkpointer;  ///< null: no persistence
  std::shared_ptr<EffectJournal> journal;      ///< null: effects simply run
};

/// Resolves the stores: RunConfig's win over CompileOptions'; the journal falls back to the
/// checkpointer when it also implements EffectJournal. The only place this precedence lives.
RunStores resolve_stores(const CompileOptions& options, const RunConfig& config);

/// ListOptions for "the latest checkpoint's record only".
ListOptions latest_record_only();

/// Where one (thread, ns) history stands, and the naming of its next checkpoint: ids are a
/// sequence per (thread, ns) (ids.hpp) that never reuses a number, also when a fork continues
/// from an older checkpoint.
struct CheckpointCursor {
  std::string thread_id;
  std::string ns;
  std::string id;              ///< the current checkpoint; "" before the first
  std::int64_t step = -2;      ///< the step that produced the current checkpoint
  std::uint64_t sequence = 0;  ///< the highest sequence number used on the history

  /// Makes `current` the current checkpoint; `latest_id` is the history's latest ("" if unknown
  /// or equal), whose number the next checkpoint must pass.
  void start_from(const CheckpointRecord& current, const std::string& latest_id);
  /// Whether the current checkpoint is older than the history's latest (a fork starts from it).
  bool behind_latest() const noexcept;
  /// Numbers the next checkpoint and makes it current without a record (a run with no
  /// checkpointer still names its steps' tasks after checkpoint ids).
  void advance_unrecorded(std::int64_t step);
  /// The record of the next checkpoint, child of the current one, which it then becomes.
  CheckpointRecord advance(CheckpointSource source, std::int64_t step, boost::json::object metadata,
                           boost::json::object next, std::vector<ChannelDelta> deltas, std::int64_t created_at_ms);
};

/// A checkpoint's metadata: `base` (RunConfig::metadata) with "graph", "source" and, when not
/// empty, "run_id".
boost::json::object checkpoint_metadata(boost::json::object base, const std::string& graph, CheckpointSource source,
                                        const std::string& run_id);

}  // namespace weft::detail
