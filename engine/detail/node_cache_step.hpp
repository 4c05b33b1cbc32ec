// SPDX-License-Identifier: MIT
#pragma once
// A task's use of the node cache (NodeOptions::cache with CompileOptions::cache): finding a
// recorded result for its input, and recording a new one. The cache is advisory: its failures
// are reported on the debug stream and cost a node call, never the task.

#include "engine/detail/run_state.hpp"

#include <boost/json/object.hpp>

#include <optional>

namespace weft::detail {

/// Where this task's node records its results, or null.
NodeCache* cache_of(const RunShared& run, const TaskRun& task);

/// For a task whose node caches: computes the key and request digest of `input` (stored in the
/// task) and returns the result recorded for them, if any. An entry recorded for another request
/// (a key collision) is not returned; a "cache_conflict" debug event says so.
std::optional<boost::json::object> cached_result(RunShared& run, TaskRun& task, const StateView& input);

/// Records a node's result (as returned, before normalization: replayed messages get the
/// replaying task's ids) under the key cached_result() computed.
void record_in_cache(RunShared& run, const TaskRun& task, const boost::json::object& result);

}  // namespace weft::detail
