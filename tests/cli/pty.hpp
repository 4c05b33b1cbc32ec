// SPDX-License-Identifier: MIT
#pragma once
// Running the built `weft` on a pseudo-terminal, as a user's shell would: stdin, stdout and stderr
// are the terminal (so isatty(2) holds), the child leads its own session with the terminal as its
// controlling tty, and writing "\x03" to the master is a real Ctrl-C (the line discipline sends
// SIGINT to the foreground process group).

#include "tests/cli/process.hpp"

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace weft::test {

struct PtyResult {
  int exit_code = -1;  ///< -1 when a signal ended it
  int signal = 0;
  std::string output;                             ///< everything written to the terminal, control sequences included
  std::chrono::steady_clock::duration elapsed{};  ///< from start to exit
};

/// Runs `program` with `args` on a fresh 100x30 pseudo-terminal and waits for it. `on_output`,
/// when given, sees the output so far after each read and may return text to type (e.g. "\x03").
/// Throws std::runtime_error when the terminal cannot be made.
PtyResult run_in_pty(const std::string& program, const std::vector<std::string>& args, const ProcessOptions& options,
                     std::function<std::string(const std::string& output)> on_output = {});

}  // namespace weft::test
