// `weft`: the command line. Everything lives in run_main so tests can drive it in-process.

#include "cli/command.hpp"

#include <iostream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  int code = weft::cli::run_main(args, std::cout, std::cerr, weft::cli::process_env());
  std::cout.flush();
  return code;
}
