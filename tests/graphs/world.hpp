// SPDX-License-Identifier: MIT
#pragma once
// A test world for the built-in graphs: the Crisp sandbox on a loopback port, a SQLite store in a
// fresh temp directory, Crisp tools bound to the sandbox's website, and a model. Runs graphs on
// one io_context, as the CLI does.

#include "engine/clock.hpp"
#include "engine/compiled_graph.hpp"
#include "graphs/registry.hpp"
#include "sandbox/crisp/sandbox.hpp"
#include "store/sqlite_store.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <memory>
#include <string>
#include <vector>

namespace weft::test {

class World {
 public:
  explicit World(std::shared_ptr<ChatModel> model, sandbox::crisp::SandboxOptions options = {});
  ~World();

  /// Runs `graph` (a registry name) on `thread` with `input` (validated with make_input).
  RunResult run(const std::string& graph, boost::json::value input, const std::string& thread);
  /// Answers the pending interrupt of `thread` with `answer`.
  RunResult resume(const std::string& graph, const std::string& thread, boost::json::value answer);

  /// Continues `thread` from its latest checkpoint (after a failure or a crash).
  RunResult continue_run(const std::string& graph, const std::string& thread);
  /// The clock runs use from now on (default: a ManualClock).
  void set_clock(std::shared_ptr<Clock> clock) { run_clock_ = std::move(clock); }

  /// Runs tool `name` of `tools` (default: every Crisp tool of the world) once, outside any graph
  /// (no journal), e.g. to set up a conversation; returns its result, throws its error.
  boost::json::value call_tool(const std::string& name, boost::json::object args);
  boost::json::value call_tool(const ToolRegistry& tools, const std::string& name, boost::json::object args);

  /// Successful writes (2xx) the sandbox performed, from its effect log.
  boost::json::array writes() const;
  /// Writes whose path ends with `suffix` (e.g. "/report") or whose method+path contains it.
  std::size_t count_writes(const std::string& method, const std::string& path_suffix) const;

  sandbox::crisp::Sandbox& sandbox() { return *sandbox_; }
  SqliteStore& store() { return *store_; }
  std::shared_ptr<ManualClock> clock() { return clock_; }
  const graphs::GraphServices& services() const { return services_; }
  /// The graphs' temperature and token cap from now on (default: unset).
  void set_model_options(graphs::ModelOptions options) { services_.model_options = options; }
  const std::string& dir() const { return dir_; }

 private:
  CompiledGraph compile(const std::string& graph);
  RunConfig config(const std::string& thread);

  std::string dir_;
  std::unique_ptr<sandbox::crisp::Sandbox> sandbox_;
  boost::asio::io_context io_;
  std::shared_ptr<SqliteStore> store_;
  std::shared_ptr<ManualClock> clock_;
  std::shared_ptr<Clock> run_clock_;
  graphs::GraphServices services_;
  graphs::GraphRegistry registry_;
};

/// The session ids of `writes` whose path ends with `suffix` and method is `method`.
std::vector<std::string> sessions_of(const boost::json::array& writes, const std::string& method,
                                     const std::string& suffix);

}  // namespace weft::test
