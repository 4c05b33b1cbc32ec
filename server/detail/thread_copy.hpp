// SPDX-License-Identifier: MIT
#pragma once
// Private: POST /threads/{id}/copy — a new thread with the same checkpoints, so that a client can
// try something on a copy and keep the original (LangGraph's threads.copy).

#include <string>

namespace weft::server::detail {

struct ServerState;
struct ThreadRow;

/// Copies `source` (its catalog row, every root checkpoint with the same ids, parents, metadata
/// and `next`, the pending writes of each, and its status) to a new thread with a random id, and
/// returns the new row. Each checkpoint is written as "replace/remove every channel that differs
/// from its parent", so the copy does not depend on how the source store keeps its deltas.
/// The effect journal is not copied: effects belong to the thread that performed them, and a task
/// the copy re-runs performs its effects again (as a fork on another thread would).
/// Throws ApiError 409 while a run is running on `source`; store errors as ApiError (api.hpp).
ThreadRow copy_thread(ServerState& s, const ThreadRow& source);

}  // namespace weft::server::detail
