// SPDX-License-Identifier: MIT
#pragma once
// A task's outcome as pending writes (engine/run_format.md), and back: what lets a resumed run
// skip the tasks of a step that already finished.

#include "engine/detail/run_state.hpp"

#include <string>
#include <vector>

namespace weft::detail {

/// A node's Command (update, goto, sends; not resume or graph) as {"update","goto","sends"}, and
/// back (missing or mistyped parts left empty): for a parent command's writes and node caching.
boost::json::object command_to_json(const Command& command);
Command command_from_json(const boost::json::value& value);

/// A task's outcome as pending writes, and back (for tasks whose writes were saved).
TaskWrites encode_task_writes(const RunShared& run, const std::string& checkpoint_id, const TaskRun& task);
void decode_task_writes(const TaskWrites& writes, TaskRun& task);

/// The pending node interrupts saved against a checkpoint.
std::vector<Interrupt> pending_interrupts(const std::vector<TaskWrites>& writes);

/// A checkpoint as a StateSnapshot. Takes the tuple by value: its values (a whole thread's state)
/// move into the snapshot instead of being copied; pass an rvalue when the tuple is not needed.
StateSnapshot make_snapshot(CheckpointTuple tuple);

}  // namespace weft::detail
