// SPDX-License-Identifier: MIT
// weft mcp: the Crisp tool catalog (and with --graphs the built-in graphs) as an MCP server over
// stdio, on the same embedded defaults as `weft run` (./weft.db, whose effect journal makes writes
// exactly-once; the in-process Crisp sandbox unless CRISP_* are set). stdout carries only
// JSON-RPC; everything else goes to stderr.

#include "cli/detail/commands.hpp"
#include "cli/detail/mcp_setup.hpp"
#include "cli/exit_code.hpp"
#include "cli/runtime.hpp"
#include "server/mcp/stdio_transport.hpp"
#include "store/sqlite_store.hpp"

#include <iostream>

namespace weft::cli::detail {
namespace {

int mcp_stdio(const Invocation& inv) {
  Runtime runtime(resolve_settings(inv.args, inv.env), inv.env);
  runtime.open_store();
  runtime.connect([&inv](const std::string& line) { inv.err << "weft mcp: " << line << "\n" << std::flush; });
  std::shared_ptr<mcp::McpServer> server = make_mcp_server(runtime, inv.args, "", inv.graphs);
  inv.err << "weft mcp: " << server->tool_names().size() << " tools on " << runtime.crisp_description()
          << "; reading JSON-RPC on stdin\n"
          << std::flush;
  // The process's stdin, or a test's stream: Invocation has no input stream, stdin is the transport.
  const std::size_t messages = mcp::serve_stdio(runtime.io(), *server, std::cin, inv.out);
  runtime.store().flush();
  inv.err << "weft mcp: stdin closed after " << messages << " message(s)\n";
  return kExitDone;
}

}  // namespace

Command mcp_command() {
  std::vector<OptionSpec> options = mcp_options("");
  options.push_back(db_option());
  options.push_back({"crisp", "sandbox|URL", "Crisp (default as for 'weft run')"});
  options.push_back({"seed", "N", "seed of a new sandbox's data (default 42)"});
  options.push_back(
      {"model", "offline|scripted:FILE|openai:NAME", "the graphs' model with --graphs (default as for 'weft run')"});
  options.push_back(
      {"crisp-rate", "N", "Crisp requests per second (default 10, then the pace Crisp advertises; 0 = no limit)"});
  options.push_back({"crisp-concurrency", "N", "Crisp requests in flight at once (default 8; 0 = unlimited)"});
  options.push_back(
      {"rate-limit-wait", "SECONDS", "how long one call may wait out 429s before it fails (default 300)"});
  return {{"mcp",
           "Serve the Crisp tools (and the graphs) to an MCP client over stdio.",
           {},
           std::move(options),
           "Reads newline-delimited JSON-RPC on stdin, answers on stdout, logs on stderr. MCP client "
           "configuration: {\"mcpServers\": {\"weft\": {\"command\": \"weft\", \"args\": [\"mcp\"]}}}.\n"
           "Writes are journaled in the database: the same call retried sends once. The same server is on\n"
           "'weft serve' at /mcp (Streamable HTTP)."},
          mcp_stdio};
}

}  // namespace weft::cli::detail
