// SPDX-License-Identifier: MIT
#pragma once
// weft::mcp::McpServer: the Model Context Protocol (JSON-RPC 2.0) written once, independent of
// the transport. `weft mcp` feeds it newline-delimited messages from stdin (stdio_transport.hpp);
// `weft serve` feeds it the bodies POSTed to /mcp (Streamable HTTP, server/README.md). Its tools
// are the Crisp catalog's, called through exactly the path the graphs use (argument validation,
// website scoping, the HTTP client's token bucket and 429 waits, fingerprints and the effect
// journal), and optionally the built-in graphs as run_<graph> tools. Format: server/mcp/README.md.
//
//   weft::mcp::McpServer mcp(environment, options);
//   weft::mcp::McpSession session;                       // one per client connection
//   std::optional<std::string> reply = co_await mcp.handle_text(line, session);

#include "engine/checkpointer.hpp"
#include "engine/effect_journal.hpp"
#include "graphs/registry.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weft::crisp {
class CrispTools;
}

namespace weft::mcp {

namespace detail {
class ToolSet;
}

/// The protocol revisions this server speaks, newest first. A client asking for one of them gets
/// it; any other gets the first.
inline constexpr std::string_view kProtocolVersions[] = {"2025-06-18", "2025-03-26"};

/// JSON-RPC 2.0 error codes the server answers with.
namespace rpc_error {
inline constexpr int parse_error = -32700;      ///< the message is not JSON
inline constexpr int invalid_request = -32600;  ///< not a JSON-RPC request, too large, or before initialize
inline constexpr int method_not_found = -32601;
inline constexpr int invalid_params = -32602;  ///< also: an unknown or hidden tool name
inline constexpr int internal_error = -32603;
}  // namespace rpc_error

/// What the tools act with. Owned through shared pointers by the caller's objects.
struct McpEnvironment {
  /// The Crisp catalog bound to one website (nodes/crisp/tools.hpp). Required.
  std::shared_ptr<crisp::CrispTools> crisp;
  /// Where writes are journaled so that a client's retry of the same call does not send twice
  /// (thread "mcp:<website_id>", key: digest of tool and canonical arguments). Required.
  std::shared_ptr<EffectJournal> journal;
  /// For the run_<graph> tools (McpOptions::graphs): the graphs, what they are built with (the
  /// crisp_tools there should be bound to the same website), and where their checkpoints go.
  /// Default: empty (no graph tools even when asked).
  graphs::GraphRegistry registry;
  graphs::GraphServices services;
  std::shared_ptr<Checkpointer> checkpointer;
};

struct McpOptions {
  /// Offer only the tools that change nothing (reads, and no graph tools). Default false.
  bool read_only = false;
  /// Offer only these tools (catalog or run_<graph> names); empty = all. A name that is not a
  /// tool is refused by the constructor. Default empty.
  std::vector<std::string> tools;
  /// Also offer the registry's graphs as run_<graph> tools. Default false.
  bool graphs = false;
  /// Larger messages are answered with an invalid_request error (and not parsed). Default 4 MiB.
  std::size_t max_message_bytes = std::size_t{4} << 20;
  /// serverInfo.version. Default "0.1.0".
  std::string version = "0.1.0";
};

/// One client's conversation with the server: the lifecycle state. Used on one thread.
struct McpSession {
  std::string id;                ///< the Mcp-Session-Id over HTTP ("" for stdio)
  bool initialized = false;      ///< initialize answered
  std::string protocol_version;  ///< negotiated at initialize
  boost::json::value client_info = nullptr;
};

/// Thread safety: use from one thread (the io_context that runs the tools' HTTP requests); the
/// awaitables complete on the awaiting coroutine's executor. Calls of one session may overlap.
/// Errors: the constructor throws std::invalid_argument for an unknown name in options.tools or
/// a missing crisp/journal; handle() never throws (a failure is a JSON-RPC error or an isError
/// tool result).
class McpServer {
 public:
  McpServer(McpEnvironment environment, McpOptions options);
  ~McpServer();
  McpServer(const McpServer&) = delete;
  McpServer& operator=(const McpServer&) = delete;

  /// Answers one JSON text (a message, or a batch array): the response text, or nullopt when
  /// nothing is to be answered (notifications, responses). Bad JSON, a text over
  /// max_message_bytes or a malformed message is answered with a JSON-RPC error (id null when
  /// unknown).
  boost::asio::awaitable<std::optional<std::string>> handle_text(std::string text, McpSession& session);
  /// The same for a parsed message: the response object, or nullopt.
  boost::asio::awaitable<std::optional<boost::json::value>> handle(boost::json::value message, McpSession& session);

  /// {"jsonrpc":"2.0","id":null,"error":{code,message}}: for a transport that refuses a message
  /// before it reaches handle() (e.g. a body over its limit).
  static std::string error_text(int code, std::string_view message);

  /// The names of the tools offered, in tools/list order.
  std::vector<std::string> tool_names() const;

  /// Most open HTTP sessions; open_session() refuses more (nullptr) until one is closed.
  static constexpr std::size_t kMaxSessions = 1024;
  /// HTTP sessions: a new one with a random id (nullptr past kMaxSessions), the one with `id` (nullptr when unknown or
  /// closed), and closing one (false when unknown).
  std::shared_ptr<McpSession> open_session();
  std::shared_ptr<McpSession> find_session(std::string_view id) const;
  bool close_session(std::string_view id);

  const McpOptions& options() const noexcept { return options_; }

 private:
  boost::asio::awaitable<boost::json::value> dispatch(std::string method, boost::json::value params,
                                                      McpSession& session);

  McpOptions options_;
  std::unique_ptr<detail::ToolSet> tools_;
  std::map<std::string, std::shared_ptr<McpSession>, std::less<>> sessions_;
};

}  // namespace weft::mcp
