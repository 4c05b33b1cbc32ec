// SPDX-License-Identifier: MIT
#pragma once
// Private: the tools one McpServer offers (catalog tools and run_<graph> tools, filtered by the
// options), their tools/list descriptors and their tools/call path.

#include "server/mcp/mcp_server.hpp"
#include "nodes/tools/tool.hpp"

#include <boost/json/object.hpp>

#include <stdexcept>

namespace weft::mcp::detail {

/// A protocol error a method answers with (code and message of the JSON-RPC error).
class RpcError : public std::runtime_error {
 public:
  RpcError(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
  int code() const noexcept { return code_; }

 private:
  int code_;
};

/// The journal key of a write: "mcp/<tool>/<request_digest of {tool, arguments}>"
/// (engine/effect_journal.hpp: canonical JSON, keys sorted), so that the same call retried (any
/// key order) finds its entry.
std::string call_key(std::string_view tool, const boost::json::value& arguments);

class ToolSet {
 public:
  /// Throws std::invalid_argument for an unknown name in options.tools.
  ToolSet(McpEnvironment environment, const McpOptions& options);

  /// {"tools": [...]} for tools/list.
  boost::json::object list() const;
  std::vector<std::string> names() const;

  /// tools/call: a CallToolResult. Throws RpcError(invalid_params) for an unknown tool; every
  /// other failure is a result with isError.
  boost::asio::awaitable<boost::json::object> call(std::string name, boost::json::value arguments);

 private:
  struct Entry {
    std::string name;
    boost::json::object descriptor;                  // tools/list entry
    std::optional<Tool> crisp;                       // a catalog tool (schema + body), or
    const graphs::GraphDefinition* graph = nullptr;  // a graph tool
    std::shared_ptr<CompiledGraph> compiled;
  };

  boost::asio::awaitable<boost::json::object> call_crisp(const Entry& entry, boost::json::value arguments);
  boost::asio::awaitable<boost::json::object> call_graph(const Entry& entry, boost::json::value arguments);
  boost::json::object rate_limit_state() const;
  boost::json::object tool_result(boost::json::value result, bool is_error) const;

  McpEnvironment environment_;
  std::vector<Entry> entries_;
};

}  // namespace weft::mcp::detail
