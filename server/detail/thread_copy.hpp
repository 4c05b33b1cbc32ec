// SPDX-License-Identifier: MIT
#pragma once
// Private: POST /threads/{id}/copy — a new thread with the same checkpoints, so that a client can
// try something on a copy and keep the original (LangGraph's threads.copy).

#include <string>

namespace weft::server::detail {

struct ServerState;
struct ThreadRow;

/// Copies `source` (its catalog row, every root checkpoint with the same ids, parents, metadata
/// and `next`, the pending writes of each re-keyed to the copy's task ids (pending_writes_for_copy,
/// so a pending interrupt is answered on the copy as on the source), and its status) to a new
/// thread with a random id, and returns the new row. Each checkpoint is written as "replace/remove every channel that differs
/// from its parent", so the copy does not depend on how the source store keeps its deltas.
/// The effect journal is not copied: an entry records an effect performed for the source's thread
/// (a message sent, an article created) and journal keys are thread-scoped so that no thread
/// replays another's effect. A copy is a new thread that may be resumed differently (or by
/// another client): replaying the source's results there would report effects the copy never
/// made. So code a copied task re-runs before its interrupt() performs its effects again, as
/// LangGraph re-runs a resumed node from its start; what follows the interrupt runs once.
/// Throws ApiError 409 while a run is running on `source`; store errors as ApiError (api.hpp).
ThreadRow copy_thread(ServerState& s, const ThreadRow& source);

}  // namespace weft::server::detail
