// SPDX-License-Identifier: MIT
#pragma once
// Shell completion scripts, generated from the command table (CommandSpec), so they can never
// disagree with the parser: commands, each command's options, the choices of an option whose
// value is "a|b|c", files for PATH/@file values, graph names for GRAPH, thread ids for THREAD.

#include "cli/command.hpp"

#include <string>
#include <vector>

namespace weft::cli {

/// The script for `shell` ("bash" or "zsh"; zsh loads the bash one through bashcompinit).
/// `graphs` are the names GRAPH completes to. Throws UsageError for another shell.
std::string completion_script(const std::string& shell, const std::vector<CommandSpec>& commands,
                              const std::vector<std::string>& graphs);

}  // namespace weft::cli
