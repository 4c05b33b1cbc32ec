// SPDX-License-Identifier: MIT
#pragma once
// The command definitions, one group per file (private to cli/).

#include "cli/command.hpp"

#include <string>
#include <vector>

namespace weft::cli::detail {

Command run_command();         // commands_run.cpp
Command resume_command();      // commands_run.cpp
Command fork_command();        // commands_run.cpp
Command threads_command();     // commands_inspect.cpp
Command history_command();     // commands_inspect.cpp
Command state_command();       // commands_inspect.cpp
Command check_command();       // commands_inspect.cpp
Command graphs_command();      // commands_catalog.cpp
Command graph_command();       // commands_catalog.cpp
Command tools_command();       // commands_catalog.cpp
Command sandbox_command();     // commands_sandbox.cpp
Command fake_llm_command();    // commands_fake_llm.cpp
Command serve_command();       // commands_serve.cpp
Command mcp_command();         // commands_mcp.cpp
Command version_command();     // commands_about.cpp
Command completion_command();  // commands_about.cpp
Command submit_command();      // commands_queue.cpp
Command worker_command();      // commands_queue.cpp
Command runs_command();        // commands_queue.cpp

/// Options shared by the commands that open a database.
OptionSpec db_option();
OptionSpec json_option();
/// The options of the commands that execute runs: model, Crisp, database, durability, pace, output.
std::vector<OptionSpec> service_options();
/// A new thread's id: GRAPH-YYYYMMDD-HHMMSS-XXXX (UTC, random suffix).
std::string new_thread_id(const std::string& graph);

}  // namespace weft::cli::detail
