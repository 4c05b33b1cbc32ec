// SPDX-License-Identifier: MIT
// `weft`: the command line. Everything lives in run_main so tests can drive it in-process.

#include "cli/command.hpp"

#include <csignal>
#include <iostream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  // A closed pipe (`weft run ... 2>&1 | head`) makes writes fail with EPIPE instead of killing the
  // process mid-run: the run then stops at a safe point and its thread stays resumable.
  std::signal(SIGPIPE, SIG_IGN);
  std::vector<std::string> args(argv + 1, argv + argc);
  int code = weft::cli::run_main(args, std::cout, std::cerr, weft::cli::process_env());
  std::cout.flush();
  return code;
}
