// SPDX-License-Identifier: MIT
#pragma once
// The exit codes of `weft`, so scripts can tell "done" from "waiting for a human" from "failed".

namespace weft::cli {

enum ExitCode : int {
  kExitDone = 0,         ///< the command did what it was asked; a run reached END
  kExitFailed = 1,       ///< the command or the run failed (the message says why); a run stays resumable
  kExitUsage = 2,        ///< the command line was wrong (unknown option, missing argument, bad value)
  kExitInterrupted = 3,  ///< a run stopped at an interrupt and waits for `weft resume THREAD --resume JSON`
  /// A run reached its end, but its outcome is not clean: the graph's "outcome" state says a
  /// write action failed, every tool call failed, or the model refused (cli/README.md). The
  /// summary names what failed; the thread is done (nothing to resume).
  kExitDoneWithFailures = 4,
};

}  // namespace weft::cli
