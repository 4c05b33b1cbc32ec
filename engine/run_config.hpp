// SPDX-License-Identifier: MIT
#pragma once
// RunConfig: everything one run (or resume, get_state, ...) is given by its caller.

#include "engine/checkpointer.hpp"
#include "engine/clock.hpp"
#include "engine/effect_journal.hpp"
#include "engine/stream.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <memory>
#include <stop_token>
#include <string>
#include <vector>

namespace weft {

class Store;

/// LangGraph Python's modern default is 10007; ours is 10000 supersteps per invocation.
inline constexpr std::int64_t kDefaultRecursionLimit = 10'000;

struct RunConfig {
  /// The thread (conversation) to run on. Required when a checkpointer is used; default "".
  std::string thread_id{};
  /// Start from this checkpoint instead of the thread's latest. If it is not the latest, the run
  /// forks: a new branch starts from it (source "fork") and the old history stays. Default "".
  std::string checkpoint_id{};
  /// Max supersteps this invocation may run; checked before starting a step beyond it
  /// (engine::error::recursion_limit). Default kDefaultRecursionLimit.
  std::int64_t recursion_limit = kDefaultRecursionLimit;
  /// When checkpoints and pending writes become durable. Default async (LangGraph's default).
  Durability durability = Durability::async;
  /// Overrides the graph's checkpointer (CompileOptions) when set. Default: none.
  std::shared_ptr<Checkpointer> checkpointer{};
  /// Overrides the effect journal; if neither this nor CompileOptions gives one, the checkpointer
  /// is used when it also implements EffectJournal. Default: none.
  std::shared_ptr<EffectJournal> effect_journal{};
  /// Long-term memory shared across threads (engine/store.hpp), reached by nodes through
  /// NodeContext::store(); overrides CompileOptions::store when set. Default: none.
  std::shared_ptr<Store> store{};
  /// Time source for retries, node timeouts, timers and timestamps. Default: system_clock().
  std::shared_ptr<Clock> clock{};
  /// Receives stream events (see stream.hpp). Default: none.
  StreamSink stream{};
  /// Which events reach `stream`. Default: all.
  StreamModes stream_modes = all_stream_modes;
  /// Added to the graph's compile-time interrupt_before / interrupt_after ("*" = every node).
  std::vector<std::string> interrupt_before{};
  std::vector<std::string> interrupt_after{};
  /// User configuration nodes can read (model name, website id, ...). Never put secrets here:
  /// it is not persisted, but nodes may copy it into state. Default: {}.
  boost::json::object configurable{};
  /// Copied into each checkpoint's metadata (with run_id and graph name). Default: {}.
  boost::json::object metadata{};
  /// Identifies this invocation in checkpoint metadata. Default: generated.
  std::string run_id{};
  /// Requesting stop cancels the run: in-flight async nodes get terminal cancellation, no new
  /// step starts, and the result is failed with engine::error::cancelled. Default: none.
  std::stop_token stop{};
};

}  // namespace weft
