// SPDX-License-Identifier: MIT
#pragma once
// A `weft` command: its grammar (CommandSpec) and what it does. Commands receive everything they
// need through Invocation (streams, environment lookup), never from globals, so tests can drive
// them in-process as well as through the binary.

#include "cli/args.hpp"
#include "graphs/registry.hpp"

#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weft::cli {

/// Reads an environment variable; nullopt when unset or empty.
using EnvLookup = std::function<std::optional<std::string>(std::string_view)>;

/// The process environment (std::getenv), treating empty values as unset.
EnvLookup process_env();

struct Invocation {
  ParsedArgs args;
  std::ostream& out;  ///< results (human text, or JSON with --json)
  std::ostream& err;  ///< progress and errors
  EnvLookup env;
  /// The graphs this program runs by name: the built-in ones and those its author registered
  /// (weft::cli::main). Every command that names a graph, or reads a thread of one, looks here.
  const graphs::GraphRegistry& graphs;
};

/// Runs the command; returns an ExitCode. Throws UsageError for a bad value (exit 2) and any other
/// exception for a failure (exit 1); the dispatcher prints the message as one line.
using CommandHandler = std::function<int(const Invocation&)>;

struct Command {
  CommandSpec spec;
  CommandHandler run;
};

/// Every command of `weft`, in the order `weft --help` lists them.
std::vector<Command> all_commands();

/// The whole program: parses argv (without argv[0]), dispatches, prints errors as one line
/// ("weft: error: ..."), returns the exit code. `graphs` are the graphs it knows (default: the
/// built-in ones). Never throws.
int run_main(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err, EnvLookup env,
             const graphs::GraphRegistry& graphs);
int run_main(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err, EnvLookup env);

}  // namespace weft::cli
