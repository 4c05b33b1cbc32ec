// SPDX-License-Identifier: MIT
#pragma once
// Step mechanics shared by the run loop and the state operations (get_state, update_state):
// routing, planning the next step, checkpoint ids, task ids, and the encoding of task writes.

#include "engine/detail/run_state.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace weft::detail {

/// Runs the routers of node `index` (GraphDef::start_index() for START) on `view` and appends
/// their destinations to `gotos` / `sends`. Throws weft::Error (invalid_route) naming `who`.
void route_after(const GraphDef& def, std::size_t index, const StateView& view, std::vector<std::string>& gotos,
                 std::vector<Send>& sends, std::string_view who);

/// Checks Command destinations: names must be nodes or END, Sends must target nodes.
void check_destinations(const GraphDef& def, std::vector<std::string>& gotos, const std::vector<Send>& sends,
                        std::string_view who);

/// The router view of a task: `snapshot` with the task's own `update` folded in.
StateView local_view(const GraphDef& def, const std::shared_ptr<const boost::json::object>& snapshot,
                     const boost::json::object& update);

/// Adds what follows a finished node (static edges, joins it completes, gotos, sends) to `next`.
/// `index` may be GraphDef::start_index() (no joins).
void advance_plan(const GraphDef& def, Plan& next, std::size_t index, const std::vector<std::string>& gotos,
                  const std::vector<Send>& sends);
/// Sorts and dedupes next.pull.
void finish_plan(Plan& next);
/// Moves the tasks of deferred nodes (NodeOptions::defer) out of `plan` when it also holds tasks
/// of other nodes, and returns them (to be planned again for the next step); otherwise leaves
/// `plan` whole and returns an empty plan.
Plan hold_deferred(const GraphDef& def, Plan& plan);

/// Checkpoint ids: a zero-padded sequence number per (thread, ns), so ids sort in creation order.
std::string checkpoint_id_for(std::uint64_t sequence);
std::uint64_t checkpoint_sequence(const std::string& id) noexcept;

/// The deterministic id of a task. A pull task is named by its position (thread, ns, checkpoint,
/// step, node). A push task (a Send) is named by what it was sent: `payload_digest` (the
/// request_digest of its argument) and `send_index`, which for a push task counts the earlier
/// Sends of the step to the same node with the same payload (0 for the first). So a re-run whose
/// Sends carry other payloads (the world changed) gets new ids, and new effect keys, instead of
/// replaying another payload's journal; the same payload at another position keeps its id.
std::string make_task_id(const std::string& thread_id, const std::string& ns, const std::string& checkpoint_id,
                         std::int64_t step, std::string_view node, bool push, std::size_t send_index,
                         std::string_view payload_digest = {});

/// A node's Command (update, goto, sends; not resume or graph) as {"update","goto","sends"}, and
/// back (missing or mistyped parts left empty): for a parent command's writes and node caching.
boost::json::object command_to_json(const Command& command);
Command command_from_json(const boost::json::value& value);

/// A task's outcome as pending writes, and back (for tasks whose writes were saved).
TaskWrites encode_task_writes(const RunShared& run, const std::string& checkpoint_id, const TaskRun& task);
void decode_task_writes(const TaskWrites& writes, TaskRun& task);

/// The pending node interrupts saved against a checkpoint.
std::vector<Interrupt> pending_interrupts(const std::vector<TaskWrites>& writes);

/// A checkpoint as a StateSnapshot.
StateSnapshot make_snapshot(const CheckpointTuple& tuple);

}  // namespace weft::detail
