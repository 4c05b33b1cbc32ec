// SPDX-License-Identifier: MIT
#pragma once
// Copying a thread: the pending writes of a checkpoint as the same tasks would have written them
// on another thread, so that a copy resumes exactly as its source would (LangGraph's threads.copy).

#include "engine/checkpoint.hpp"

#include <string>
#include <vector>

namespace weft {

/// The pending writes of `source`, a root checkpoint (ns "") of thread `from`, rewritten for the
/// same checkpoint copied to thread `to`. Task ids are thread-scoped (an effect is never
/// attributed to another thread), so a copied write kept under its source's task id would match
/// no task of the copy and the interrupted node would run from scratch instead of taking its
/// answer. Each write of a task the checkpoint plans (its `next`: nodes and Sends) gets that
/// task's id on `to`, and each node interrupt it records gets the id it has on `to`, so
/// `Command::resume` answers the copy's interrupts as it answers the source's. Writes of a task
/// the plan does not name, and interrupts raised inside a subgraph, keep their ids (those tasks
/// run again on the copy). `thread_id` of every write becomes `to`. Pure function.
std::vector<TaskWrites> pending_writes_for_copy(const CheckpointTuple& source, const std::string& from,
                                                const std::string& to);

}  // namespace weft
