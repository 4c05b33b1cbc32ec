#pragma once
// The exit codes of `weft`, so scripts can tell "done" from "waiting for a human" from "failed".

namespace weft::cli {

enum ExitCode : int {
  kExitDone = 0,         ///< the command did what it was asked; a run reached END
  kExitFailed = 1,       ///< the command or the run failed (the message says why); a run stays resumable
  kExitUsage = 2,        ///< the command line was wrong (unknown option, missing argument, bad value)
  kExitInterrupted = 3,  ///< a run stopped at an interrupt and waits for `weft resume THREAD --resume JSON`
};

}  // namespace weft::cli
