// SPDX-License-Identifier: MIT
#pragma once
// The MCP stdio transport: newline-delimited JSON-RPC messages on `in`, answers on `out`, one per
// line; nothing else is ever written to `out` (logs go to stderr).

#include "server/mcp/mcp_server.hpp"

#include <boost/asio/io_context.hpp>

#include <istream>
#include <ostream>

namespace weft::mcp {

/// Serves `mcp` over (in, out) until `in` ends and every request read has been answered. Lines
/// are read on a thread of their own and answered on `io` (run here, by the calling thread), each
/// as its own coroutine, so a ping is answered while a slow tool call runs. A line longer than
/// max_message_bytes is skipped without being held in memory and answered with an
/// invalid_request error; blank lines are ignored. Returns the number of messages read.
/// Thread safety: blocks the calling thread; `io` must not be run by another thread meanwhile.
std::size_t serve_stdio(boost::asio::io_context& io, McpServer& mcp, std::istream& in, std::ostream& out);

}  // namespace weft::mcp
