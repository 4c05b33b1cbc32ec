// SPDX-License-Identifier: MIT
#pragma once
// Drives one run of a graph on the command's io_context: the status line's ticker on a terminal,
// and a safe stop on SIGINT/SIGTERM (Ctrl-C, kill) or when stderr breaks (a closed pipe). A stop
// goes through RunConfig::stop: the engine cancels the in-flight tasks, no new step starts, the
// thread's lease is released and the thread stays resumable from its last checkpoint.

#include "cli/progress.hpp"
#include "engine/run_result.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <stop_token>

namespace weft::cli {

struct RunOutcome {
  RunResult result;
  int signal = 0;            ///< SIGINT or SIGTERM when a signal stopped the run, else 0
  bool broken_pipe = false;  ///< stderr broke (EPIPE) and the run was stopped for it
};

/// Runs `run` to completion on `io` (io.run() on the calling thread). `stop` must be the source of
/// the RunConfig::stop token the run was started with. `progress` may be null (--quiet). A first
/// signal requests the stop and restores the default disposition, so a second one ends the
/// process at once. Rethrows an exception the run threw.
RunOutcome drive_run(boost::asio::io_context& io, boost::asio::awaitable<RunResult> run, std::stop_source stop,
                     ProgressPrinter* progress);

/// 128 + the signal number: what a shell reports for a process a signal ended (130 for Ctrl-C).
int exit_code_for_signal(int signal) noexcept;

}  // namespace weft::cli
