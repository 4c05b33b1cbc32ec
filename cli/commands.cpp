// SPDX-License-Identifier: MIT
// The table of `weft` commands, in the order `weft --help` lists them.

#include "cli/command.hpp"
#include "cli/detail/commands.hpp"

namespace weft::cli {

std::vector<Command> all_commands() {
  return {detail::run_command(),   detail::resume_command(),  detail::threads_command(),   detail::history_command(),
          detail::state_command(), detail::fork_command(),    detail::graphs_command(),    detail::graph_command(),
          detail::tools_command(), detail::sandbox_command(), detail::fake_llm_command(),  detail::serve_command(),
          detail::mcp_command(),   detail::submit_command(),  detail::worker_command(),    detail::runs_command(),
          detail::check_command(), detail::version_command(), detail::completion_command()};
}

}  // namespace weft::cli
