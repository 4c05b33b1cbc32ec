// SPDX-License-Identifier: MIT
#pragma once
// Deterministic names: checkpoint ids (a sequence per thread and namespace) and task ids.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace weft::detail {

/// Checkpoint ids: a zero-padded sequence number per (thread, ns), so ids sort in creation order.
std::string checkpoint_id_for(std::uint64_t sequence);
/// The sequence number of a checkpoint id; 0 for an id not made by checkpoint_id_for.
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

}  // namespace weft::detail
