// The table of `weft` commands.

#include "cli/command.hpp"

namespace weft::cli {

std::vector<Command> all_commands() {
  std::vector<Command> commands;
  return commands;
}

}  // namespace weft::cli
