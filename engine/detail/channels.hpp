// SPDX-License-Identifier: MIT
#pragma once
// Folding one superstep's writes into the state through the schema's channels.

#include "engine/channel.hpp"
#include "engine/checkpoint.hpp"

#include <boost/json/object.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace weft::detail {

/// Checks a task's update against the schema and normalizes it in place: messages writes become
/// arrays of message objects, each with an "id" (missing ids are derived from `task_id` and the
/// message's position, so they are deterministic). Throws weft::Error (invalid_update) naming
/// `who` (e.g. "node 'x'") and the key when a key is not in the schema or a value does not fit.
void normalize_update(const Schema& schema, boost::json::object& update, std::string_view task_id,
                      std::string_view who);

/// One write of the step, in application order. Pointers stay owned by the caller.
struct StepWrite {
  std::string_view key;
  const boost::json::value* value;
  std::string_view node;  ///< the writer, for error messages
};

/// Applies the step's writes (already normalized, in task order) to `state`. When `deltas` is
/// not null, appends one ChannelDelta per changed key (keys in sorted order). Messages channels
/// are merged through `folder` when given (the run's, bound to `state`: O(1) per message rather
/// than a scan of the channel). Throws weft::Error (concurrent_update) naming the key and nodes
/// when a last_value key got several writes, (invalid_update) when a reducer throws. `state` is
/// unchanged when this throws.
void apply_step_writes(const Schema& schema, boost::json::object& state, std::vector<StepWrite> writes,
                       std::vector<ChannelDelta>* deltas, StateFolder* folder = nullptr);

/// The value `key` would have after applying `writes` (one task's, in order) to `current`
/// (null when absent); used for a router's local view. Never throws concurrent_update.
boost::json::value fold_local(const Channel& channel, const boost::json::value* current,
                              const std::vector<const boost::json::value*>& writes);

}  // namespace weft::detail
