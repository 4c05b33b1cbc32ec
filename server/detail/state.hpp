// SPDX-License-Identifier: MIT
#pragma once
// Private: everything the routes share. Lives on the server's io_context thread: routes, runs and
// stream sinks all run there, so the members need no locks (the catalog and the checkpointer
// have their own).

#include "engine/checkpointer.hpp"
#include "engine/compiled_graph.hpp"
#include "engine/effect_journal.hpp"
#include "graphs/registry.hpp"
#include "server/detail/catalog.hpp"
#include "server/server.hpp"

#include <boost/asio/io_context.hpp>

#include <map>
#include <memory>
#include <string>

namespace weft::server::detail {

class RunManager;
class CronScheduler;
class HookRouting;

/// A registered graph, compiled once for the server's life, as an assistant.
struct Assistant {
  const graphs::GraphDefinition* definition = nullptr;
  std::string assistant_id;  ///< name_uuid(graph name)
  std::shared_ptr<CompiledGraph> graph;
  std::int64_t created_at_ms = 0;
};

struct ServerState {
  boost::asio::io_context& io;
  ServerOptions options;
  ServerEnvironment environment;
  std::vector<Assistant> assistants;  ///< registration order
  std::unique_ptr<Catalog> catalog;
  std::unique_ptr<RunManager> runs;
  std::unique_ptr<CronScheduler> crons;
  bool stopping = false;
  std::unique_ptr<HookRouting> hook_routing;  ///< Crisp web hooks: which graph an event starts

  /// The assistant named by graph name or by its UUID; throws ApiError 404.
  const Assistant& assistant(const std::string& id) const;
  const Assistant* find_assistant(const std::string& id) const noexcept;
};

}  // namespace weft::server::detail
