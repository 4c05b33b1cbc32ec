// SPDX-License-Identifier: MIT
#pragma once
// Private: how long a lease this process holds is sure to last, by this process's own steady
// clock (Clock::steady_now). The stores record when each renewal (or acquisition) was *sent*: the
// database set the expiry to its clock + ttl no earlier than that, so sent + ttl is a safe bound,
// and a process that was paused (SIGSTOP, a VM freeze) sees its steady clock jump past it.
// EffectJournal::confirm_may_act (engine/effect_journal.hpp) lets a side effect start only while
// that bound is at least a margin away; store/scale-out.md describes the window that remains.

#include "engine/clock.hpp"
#include "engine/error.hpp"
#include "store/error.hpp"

#include <chrono>
#include <cstdint>
#include <string>

namespace weft::store::detail {

/// The margin a lease must still have for a side effect to start: a third of its TTL (the
/// heartbeat renews every third, so a healthy holder has at least two thirds left).
inline std::chrono::milliseconds act_margin(std::int64_t lease_ttl_ms) {
  return std::chrono::milliseconds(lease_ttl_ms / 3);
}

/// What is left of a lease renewed (sent) at `renewed_at` with `lease_ttl_ms`, at `now`.
inline std::chrono::milliseconds lease_left(std::chrono::steady_clock::time_point renewed_at, std::int64_t lease_ttl_ms,
                                            std::chrono::steady_clock::time_point now) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(renewed_at + std::chrono::milliseconds(lease_ttl_ms) -
                                                               now);
}

/// The refusal when even a fresh renewal leaves less than the margin (the renewal itself was
/// slower than ttl - margin: an overloaded database or a pause while renewing).
[[noreturn]] inline void throw_lease_uncertain(const std::string& thread_id, std::chrono::milliseconds left,
                                               std::int64_t lease_ttl_ms) {
  throw Error(error::lease_lost, "thread '" + thread_id + "': this process cannot be sure it still holds the " +
                                     "thread's lease (" + std::to_string(left.count()) + " ms left of " +
                                     std::to_string(lease_ttl_ms) + " ms by its own clock, margin " +
                                     std::to_string(act_margin(lease_ttl_ms).count()) +
                                     " ms, even after renewing it: was the process paused or the database slow?), so "
                                     "it sends nothing more for the thread");
}

}  // namespace weft::store::detail
