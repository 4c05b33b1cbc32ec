// SPDX-License-Identifier: MIT
#pragma once
// weft::server::Server: the LangGraph Server API over HTTP/1.1 (Boost.Beast), so that LangGraph's
// SDKs and UIs drive Weft's graphs unchanged. Routes, shapes and limits: server/README.md.
//
//   boost::asio::io_context io;
//   weft::server::Server server(io, {.registry = ..., .services = ..., .checkpointer = store,
//                                    .journal = store, .catalog_path = "weft.db"}, {});
//   server.start();            // binds; server.url() is known from here on
//   io.run();                  // serves until stop() and every run has ended

#include "engine/checkpointer.hpp"
#include "engine/clock.hpp"
#include "engine/effect_journal.hpp"
#include "engine/store.hpp"
#include "graphs/registry.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace weft::mcp {
class McpServer;
}

namespace weft::server {

namespace detail {
struct ServerState;
class Listener;
}  // namespace detail

/// What the server runs graphs with. Owned by the caller's objects through shared pointers.
struct ServerEnvironment {
  /// The assistants: one per registered graph, addressable by graph name or its stable UUID.
  graphs::GraphRegistry registry;
  /// Model and tools the graphs are built with (graphs/registry.hpp). Required.
  graphs::GraphServices services;
  /// Where checkpoints go. Required.
  std::shared_ptr<Checkpointer> checkpointer;
  /// Effect journal; default: none (the checkpointer when it implements one).
  std::shared_ptr<EffectJournal> journal;
  /// SQLite file for the server's own tables (threads' metadata, runs); usually the checkpoint
  /// database itself. Required.
  std::string catalog_path;
  /// Long-term memory: the /store routes and the graphs' NodeContext::store(). Default: a
  /// SqliteMemoryStore on catalog_path (store/sqlite_memory_store.hpp).
  std::shared_ptr<Store> store;
  /// Durability of the runs' checkpoints. Default sync.
  Durability durability = Durability::sync;
  /// The time crons are scheduled by. Default: system_clock().
  std::shared_ptr<Clock> clock;
  /// The MCP server behind /mcp (Streamable HTTP, server/mcp/mcp_server.hpp); it must be used
  /// on the same io_context. Default: none (/mcp answers 404).
  std::shared_ptr<mcp::McpServer> mcp;
};

/// Crisp web hooks, POST /crisp/hooks (server/README.md, "Crisp web hooks"). The route has its own
/// authentication (the server's API key is not asked of Crisp): with neither `secret` nor `key`
/// set it refuses every event.
struct CrispHookOptions {
  /// Plugin hooks: the HMAC-SHA256 key of X-Crisp-Signature. Default: empty (not accepted).
  std::string secret;
  /// Website hooks: the value of the URL's `key` query parameter. Default: empty (not accepted).
  std::string key;
  /// Events of any other website are refused (404). Default: empty (every website refused).
  std::vector<std::string> website_ids;
  /// A signed event whose X-Crisp-Request-Timestamp is further than this from now is refused
  /// (replay). Default 5 minutes.
  std::chrono::seconds max_age{300};
  /// The routing rules (server/README.md, "Routing Crisp events") and the file they came from,
  /// named in errors. Default: empty, i.e. visitor messages go to live_reply on crisp-<session>.
  std::string routing;
  std::string routing_file = "(routing)";
};

struct ServerOptions {
  /// Address to bind. Default 127.0.0.1. Without api_key only a loopback address is accepted
  /// unless allow_unauthenticated_remote is set.
  std::string host = "127.0.0.1";
  /// Port; default 0 = a free port chosen by the OS (see port()).
  std::uint16_t port = 0;
  /// When not empty, every route but GET /ok needs `x-api-key: <key>` or
  /// `Authorization: Bearer <key>` (compared in constant time). Default: empty (no key).
  std::string api_key;
  /// Bind a non-loopback address without an API key. Default false.
  bool allow_unauthenticated_remote = false;
  /// Larger request bodies are answered 413. Default 1 MiB.
  std::size_t body_limit = 1 << 20;
  /// A request (headers and body) must arrive within this; an idle keep-alive connection is
  /// closed after it; a stream write that cannot complete within it drops the client.
  /// Default 30 s.
  std::chrono::seconds io_timeout{30};
  /// Open connections per client address; more are answered 429 and closed. Default 64.
  std::size_t max_connections_per_client = 64;
  /// Runs executing at once; more wait (status pending). Default 4.
  std::size_t workers = 4;
  /// An event stream with nothing to send for this long gets an SSE comment (": heartbeat"), so
  /// a client that went away is noticed (and its run cancelled when it asked for
  /// on_disconnect=cancel). Default 10 s.
  std::chrono::milliseconds stream_heartbeat{10'000};
  /// How often crons are checked against the clock. Default 1 s.
  std::chrono::milliseconds cron_poll{1000};
  /// Crisp web hooks. Default: refused (no secret, no key).
  CrispHookOptions crisp_hooks;
};

/// Thread safety: construct, start and stop on one thread; the server's work all runs on `io`,
/// which must be run by exactly one thread (the engine's runs are single-threaded).
/// Errors: the constructor throws std::invalid_argument for a bad option (no key on a remote
/// address, a routing rule in error: its message names the file and line) or std::runtime_error when the catalog cannot be opened; start() throws
/// std::system_error when the address cannot be bound. A route's failure is answered as a
/// LangGraph-shaped error ({"detail": "..."}) and never ends the server.
class Server {
 public:
  Server(boost::asio::io_context& io, ServerEnvironment environment, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds, starts accepting, and re-queues the runs a previous process left unfinished.
  void start();
  /// Stops accepting, closes idle connections and streams, and asks running runs to stop at their
  /// next step boundary (they stay queued for the next start). Call on the io thread (e.g. from a
  /// signal_set handler). `on_stopped` is called on the io thread once no run is running.
  void stop(std::function<void()> on_stopped = {});

  std::uint16_t port() const noexcept;
  /// "http://<host>:<port>"
  std::string url() const;

 private:
  std::unique_ptr<detail::ServerState> state_;
  std::shared_ptr<detail::Listener> listener_;
};

}  // namespace weft::server
