// SPDX-License-Identifier: MIT
// The dispatcher: finds the command, parses its arguments, runs it, and turns every failure into
// one line on stderr plus an exit code.

#include "cli/command.hpp"
#include "cli/detail/thread_id.hpp"
#include "cli/exit_code.hpp"
#include "cli/version.hpp"

#include <cstdlib>
#include <exception>
#include <ostream>

namespace weft::cli {

EnvLookup process_env() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (!v || !*v) return std::nullopt;
    return std::string(v);
  };
}

namespace {

// Errors are one line: a message from a lower layer may carry newlines (a server's body), and
// other control characters (ESC from a forged thread id) must not reach the terminal raw.
std::string one_line(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return detail::printable_text(text);
}

void print_overview(std::ostream& out, const std::vector<Command>& commands) {
  out << "usage: weft COMMAND [ARGS] [--help]\n\n"
         "Durable LangGraph-style workflows acting on Crisp live chat.\n"
         "With no configuration: ./weft.db, the Crisp sandbox on a free loopback port, the offline model.\n"
         "CRISP_API_IDENTIFIER, CRISP_API_KEY, CRISP_WEBSITE_ID (and CRISP_API_URL) switch to real Crisp;\n"
         "OPENAI_API_KEY, OPENAI_BASE_URL and WEFT_MODEL switch to a real LLM.\n\ncommands:\n";
  for (const auto& c : commands) {
    out << "  " << c.spec.name << std::string(c.spec.name.size() < 10 ? 10 - c.spec.name.size() : 1, ' ')
        << c.spec.summary << "\n";
  }
  out << "\nexit codes: 0 done, 1 failed, 2 usage error (also: the database, thread or checkpoint named does not\n"
         "exist), 3 interrupted (waiting for a human), 130/143 a run stopped by Ctrl-C/SIGTERM (resumable)\n"
         "'weft COMMAND --help' shows a command's options; 'weft --version' the version.\n";
}

}  // namespace

int run_main(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err, EnvLookup env) {
  try {
    const graphs::GraphRegistry builtin = graphs::builtin_graphs();
    return run_main(argv, out, err, std::move(env), builtin);
  } catch (const std::exception& e) {
    err << "weft: error: " << one_line(e.what()) << "\n";
    return kExitFailed;
  }
}

int run_main(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err, EnvLookup env,
             const graphs::GraphRegistry& graphs) {
  try {
    auto commands = all_commands();
    if (argv.empty()) {
      print_overview(err, commands);
      err << "weft: error: missing COMMAND; run 'weft --help'\n";
      return kExitUsage;
    }
    const std::string& name = argv.front();
    if (name == "-h" || name == "--help" || name == "help") {
      print_overview(out, commands);
      return kExitDone;
    }
    if (name == "--version" || name == "-V") {
      out << "weft " << weft_version() << "\n";
      return kExitDone;
    }
    const Command* command = nullptr;
    for (const auto& c : commands) {
      if (c.spec.name == name) command = &c;
    }
    if (!command) {
      err << "weft: error: unknown command '" << one_line(name) << "'; run 'weft --help' for the list\n";
      return kExitUsage;
    }
    std::vector<std::string> rest(argv.begin() + 1, argv.end());
    ParsedArgs args;
    try {
      args = parse_args(command->spec, rest);
    } catch (const UsageError& e) {
      err << "weft: error: " << one_line(e.what()) << "\n";
      return kExitUsage;
    }
    if (args.help) {
      out << format_help(command->spec);
      return kExitDone;
    }
    try {
      return command->run(Invocation{std::move(args), out, err, std::move(env), graphs});
    } catch (const UsageError& e) {
      err << "weft: error: " << one_line(e.what()) << "\n";
      return kExitUsage;
    }
  } catch (const std::exception& e) {
    err << "weft: error: " << one_line(e.what()) << "\n";
    return kExitFailed;
  } catch (...) {
    err << "weft: error: unknown failure\n";
    return kExitFailed;
  }
}

}  // namespace weft::cli
