// SPDX-License-Identifier: MIT
#pragma once
// Whether stderr is a terminal, and whether colour is allowed there (https://no-color.org).

#include "cli/command.hpp"
#include "cli/status_line.hpp"

namespace weft::cli {

/// The mode for file descriptor `fd`: live when it is a terminal (isatty) and TERM is not "dumb";
/// colour only when live and NO_COLOR is unset (any non-empty value turns colour off); width from
/// the terminal (TIOCGWINSZ), else $COLUMNS, else 80. Reads `env`, never the process environment.
TerminalMode detect_terminal(int fd, const EnvLookup& env);

}  // namespace weft::cli
