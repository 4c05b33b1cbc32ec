// SPDX-License-Identifier: MIT
#pragma once
// Executing one run claimed from the queue on a worker slot's Runtime: a new run from the queued
// input, or the continuation of the same queued run from its thread's last checkpoint when an
// earlier attempt (a worker that died) got that far, or nothing when that attempt already
// finished the thread and only failed to say so to the queue.

#include "cli/runtime.hpp"
#include "engine/compiled_graph.hpp"
#include "store/run_queue.hpp"

#include <map>
#include <stop_token>
#include <string>

namespace weft::cli::detail {

/// What the attempt came to, for the queue and for the worker's log.
struct QueuedRunResult {
  AttemptOutcome outcome;
  /// The thread's lease was lost mid-run (another worker took the thread over): the run wrote
  /// nothing after that, and the queue claim is surely lost too.
  bool lease_lost = false;
  std::string summary;  ///< one line for the worker's log: "done in 4 steps", "failed: ...", ...
};

/// The checkpoint metadata key naming the queued run that wrote a checkpoint.
inline constexpr const char* kQueueRunKey = "queue_run";

/// The graphs a worker slot compiled so far, by name (a graph is compiled once per slot, on the
/// slot's store and services, and shared by all its runs).
using CompiledGraphs = std::map<std::string, CompiledGraph>;

/// Runs `run` on `runtime` (store open, services connected) until it ends, waits for a human, or
/// `stop` is requested (then it stops at the next step boundary, checkpointed, and the outcome is
/// `released`). Never throws: failures become a `failed` outcome (a busy thread: `postponed`).
QueuedRunResult execute_queued_run(Runtime& runtime, const graphs::GraphRegistry& graphs, CompiledGraphs& compiled,
                                   const QueuedRun& run, std::stop_token stop);

}  // namespace weft::cli::detail
