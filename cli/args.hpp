// SPDX-License-Identifier: MIT
#pragma once
// The command line grammar of `weft`: each command declares its positionals and options as data
// (CommandSpec); parse_args() turns the words after the command name into ParsedArgs or throws a
// UsageError whose message is one line that says what to do. No global state.

#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace weft::cli {

/// One `--name VALUE` option, or a flag when `value_name` is empty.
struct OptionSpec {
  std::string name;        ///< without the leading dashes: "thread" for --thread
  std::string value_name;  ///< shown in help ("ID", "JSON|@file"); empty = a flag taking no value
  std::string help;        ///< one line
  bool required = false;   ///< parse_args fails without it; help shows it unbracketed (default false)
};

/// One positional argument.
struct PositionalSpec {
  std::string name;  ///< shown in help and errors, upper case by convention ("GRAPH")
  std::string help;
  bool required = true;
};

/// A command: its name, a one-line summary, its arguments and a longer description for --help.
struct CommandSpec {
  std::string name;
  std::string summary;
  std::vector<PositionalSpec> positionals;
  std::vector<OptionSpec> options;
  std::string description;  ///< extra paragraphs for --help; may be empty
};

/// A usage mistake (unknown option, missing argument). what() is one line without a prefix.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// What parse_args found. Options are keyed by name without dashes; a repeated option keeps its
/// last value.
class ParsedArgs {
 public:
  bool help = false;  ///< -h or --help was given (nothing else was checked)
  std::vector<std::string> positionals;
  std::map<std::string, std::string> values;  ///< options with values, and flags (value "")

  bool has(const std::string& name) const { return values.count(name) != 0; }
  std::optional<std::string> get(const std::string& name) const;
  std::string get_or(const std::string& name, const std::string& fallback) const;
  /// The positional at `index`, or "" when it was optional and absent.
  std::string positional(std::size_t index) const;
};

/// Parses `words` (the arguments after the command name) against `spec`. Accepts `--name VALUE`,
/// `--name=VALUE`, flags, `-h`/`--help` anywhere, and `--` to end options.
/// Throws UsageError: unknown option, option missing its value, value given to a flag, missing
/// required positional or option, too many positionals. Pure function; thread-safe.
ParsedArgs parse_args(const CommandSpec& spec, std::span<const std::string> words);

/// The --help text of a command (usage line, summary, arguments, options, description).
std::string format_help(const CommandSpec& spec);

/// "weft run GRAPH [--thread ID] ..." on one line.
std::string usage_line(const CommandSpec& spec);

}  // namespace weft::cli
