// SPDX-License-Identifier: MIT
#pragma once
// Private: threads as the API shows them, shared by the thread and run routes.

#include "engine/run_result.hpp"
#include "server/detail/catalog.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>

namespace weft::server::detail {

struct ServerState;
struct Assistant;

/// The thread's catalog row; a thread only the checkpointer knows (run by `weft run`) gets one.
/// Throws ApiError 404 "Thread 'id' not found".
ThreadRow require_thread(ServerState& s, const std::string& thread_id);
/// The assistant whose graph runs on the thread, or nullptr when it never ran and none was given.
const Assistant* thread_assistant(ServerState& s, const ThreadRow& row);
/// "idle", "busy", "interrupted" or "error".
std::string thread_status(ServerState& s, const ThreadRow& row);
/// The Thread shape: {thread_id, created_at, updated_at, state_updated_at, metadata, status,
/// values, interrupts, config, error}.
boost::json::object thread_json(ServerState& s, const ThreadRow& row);
/// The ThreadState shape of a snapshot: {values, next, checkpoint, metadata, created_at,
/// parent_checkpoint, tasks, interrupts}.
boost::json::object state_json(const std::string& thread_id, const StateSnapshot& snapshot);
/// The state of a thread without checkpoints.
boost::json::object empty_state_json(const std::string& thread_id);
/// {thread_id, checkpoint_ns, checkpoint_id, checkpoint_map}
boost::json::object checkpoint_json(const std::string& thread_id, const std::string& checkpoint_id);
/// The checkpoint id of `checkpoint_id` or `checkpoint: {checkpoint_id}` in a body ("" if none).
std::string checkpoint_id_of(const boost::json::object& body);

}  // namespace weft::server::detail
