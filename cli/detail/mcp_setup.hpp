// SPDX-License-Identifier: MIT
#pragma once
// Private: the MCP server of `weft mcp` and of `weft serve`'s /mcp, made from a connected
// Runtime and the command's options (the same names in both, prefixed "mcp-" for serve).

#include "cli/args.hpp"
#include "cli/runtime.hpp"
#include "graphs/registry.hpp"
#include "server/mcp/mcp_server.hpp"

#include <memory>
#include <string>
#include <vector>

namespace weft::cli::detail {

/// The MCP options of a command: --read-only, --tools a,b,c, --website ID, --graphs (with
/// `prefix` "mcp-" for serve: --mcp-read-only, ...).
std::vector<OptionSpec> mcp_options(const std::string& prefix);

/// An McpServer on `runtime` (connected, store open): the Crisp catalog bound to --website (or
/// the configured website), the runtime's journal, and with --graphs `graphs` (the program's
/// registry) on the runtime's checkpointer. Throws UsageError for an unknown --tools name.
std::shared_ptr<mcp::McpServer> make_mcp_server(Runtime& runtime, const ParsedArgs& args, const std::string& prefix,
                                                const graphs::GraphRegistry& graphs);

}  // namespace weft::cli::detail
