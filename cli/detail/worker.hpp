// SPDX-License-Identifier: MIT
#pragma once
// `weft worker`: slots that claim runs from the queue and execute them, a heartbeat that renews
// their leases, and the orderly stop on SIGTERM/SIGINT (stop claiming, stop the running runs at
// their next step boundary so they are checkpointed, release them to the queue, exit 0).

#include "cli/command.hpp"
#include "cli/settings.hpp"

#include <chrono>
#include <string>

namespace weft::cli::detail {

struct WorkerOptions {
  std::string queue_url;  ///< the PostgreSQL database holding the queue
  int concurrency = 1;    ///< runs executed at once (one thread, store connection and Crisp client each)
  /// A claim not renewed for this long is claimable by another worker (default 30 s); the
  /// heartbeat renews every lease / 3.
  std::chrono::milliseconds lease{30'000};
  /// How often an idle slot looks for work without a notification: expired leases notify nobody
  /// (default 1 s).
  std::chrono::milliseconds poll{1'000};
  bool drain = false;  ///< exit once nothing is pending or running in the queue
  Settings settings;   ///< the store, model and Crisp every run of this worker uses
};

/// Runs the worker until stopped. Returns kExitDone after an orderly stop (signal or drain),
/// kExitFailed when this worker lost a run to another one (its lease expired while it was paused
/// or cut off: it wrote nothing after that and exits, as a worker whose clock or network cannot be
/// trusted should) or when a slot cannot start. Lines go to inv.err.
int run_worker(const WorkerOptions& options, const Invocation& inv);

}  // namespace weft::cli::detail
