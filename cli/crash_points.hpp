// SPDX-License-Identifier: MIT
#pragma once
// Named crash points for the exactly-once test suite. When WEFT_CRASH_AT is set, `weft` wraps
// its store in these decorators, which kill the process with SIGKILL (no destructors, no flush:
// as a power cut or an OOM kill would) at the named moment:
//   checkpoint:N    right after the Nth checkpoint of this process was put (a step boundary)
//   writes:N        right after the Nth task's pending writes were put (mid-step)
//   effect-begin:N  right after the Nth side effect was marked started, before it runs
//   effect-finish:N right before the Nth side effect's result is recorded, after it ran
//                   (the effect happened but the journal says "in doubt")
//   effect-pause:N  not a crash: the process SIGSTOPs itself right after the Nth side effect was
//                   marked started, before it runs (a pause between the journal's begin and the
//                   request, for the lease tests; the test SIGCONTs it)
// N counts from 1 within one process. An effect point may name a journal key segment after N
// ("effect-pause:1:tool"): then only effects whose key holds ":tool:" count, so a test can stop at
// the first Crisp write whatever order a graph's parallel tasks begin their model calls in.
// Without WEFT_CRASH_AT nothing is wrapped. A test-only facility, documented here because it is
// part of the binary.

#include "engine/checkpointer.hpp"
#include "engine/effect_journal.hpp"

#include <memory>
#include <optional>
#include <string>

namespace weft::cli {

struct CrashPoint {
  enum class Kind { checkpoint, writes, effect_begin, effect_finish, effect_pause } kind = Kind::checkpoint;
  int count = 1;
  std::string key_segment;  ///< effect points only: count just the keys holding ":<segment>:"
};

/// Parses "checkpoint:3", "effect-pause:1:tool" etc.; nullopt for empty text. Throws std::invalid_argument for anything else.
std::optional<CrashPoint> parse_crash_point(const std::string& text);

/// A Checkpointer that forwards to `inner` and dies at a checkpoint/writes crash point.
std::shared_ptr<Checkpointer> crashing_checkpointer(std::shared_ptr<Checkpointer> inner, CrashPoint point);

/// An EffectJournal that forwards to `inner` and dies at an effect crash point.
std::shared_ptr<EffectJournal> crashing_journal(std::shared_ptr<EffectJournal> inner, CrashPoint point);

}  // namespace weft::cli
