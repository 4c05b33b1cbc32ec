// SPDX-License-Identifier: MIT
// `weft`: the command line with the built-in graphs. Everything lives in weft::cli::main
// (cli/main.hpp), which a user's own program calls with its graphs added.

#include "cli/main.hpp"

int main(int argc, char** argv) { return weft::cli::main(argc, argv); }
