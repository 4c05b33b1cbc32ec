// SPDX-License-Identifier: MIT
#include "cli/main.hpp"

#include "cli/command.hpp"
#include "cli/exit_code.hpp"

#include <csignal>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

namespace weft::cli {

int main(int argc, char** argv, std::vector<graphs::GraphDefinition> extra) {
  // A closed pipe (`weft run ... 2>&1 | head`) makes writes fail with EPIPE instead of killing the
  // process mid-run: the run then stops at a safe point and its thread stays resumable.
  std::signal(SIGPIPE, SIG_IGN);
  graphs::GraphRegistry registry;
  try {
    registry = graphs::builtin_graphs();
    for (auto& definition : extra) registry.add(std::move(definition));
  } catch (const std::exception& e) {
    // The program's author registered a graph wrongly: say so before any command runs.
    std::cerr << "weft: error: registering the program's graphs: " << e.what() << "\n";
    return kExitFailed;
  }
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  int code = run_main(args, std::cout, std::cerr, process_env(), registry);
  std::cout.flush();
  return code;
}

}  // namespace weft::cli
