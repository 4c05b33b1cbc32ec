// SPDX-License-Identifier: MIT
// Running a built-in graph from C++.
//
// Runs spam_triage on one Crisp website: the real one when CRISP_API_IDENTIFIER, CRISP_API_KEY
// and CRISP_WEBSITE_ID are set (and CRISP_API_URL, e.g. for a local sandbox), with the offline
// model, checkpointing every step to SQLite. To try it without Crisp, start the local sandbox in
// another terminal and export the variables it prints:
//
//   weft sandbox --port 8800          # prints CRISP_API_URL=... CRISP_API_IDENTIFIER=... etc.
//   example_run_builtin_graph [DB_PATH]

#include <weft/engine/compiled_graph.hpp>
#include <weft/graphs/registry.hpp>
#include <weft/nodes/crisp/client.hpp>
#include <weft/nodes/crisp/config.hpp>
#include <weft/nodes/crisp/register.hpp>
#include <weft/nodes/crisp/tools.hpp>
#include <weft/nodes/model/offline_model.hpp>
#include <weft/store/sqlite_store.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>

#include <iostream>
#include <memory>

namespace json = boost::json;

int main(int argc, char** argv) try {
  const std::string db_path = argc > 1 ? argv[1] : "run_builtin_graph.db";
  std::optional<weft::crisp::CrispConfig> crisp = weft::crisp::CrispConfig::from_env_if_set();
  if (!crisp) {
    std::cerr << "set CRISP_API_IDENTIFIER, CRISP_API_KEY and CRISP_WEBSITE_ID (see `weft sandbox`)\n";
    return 2;
  }

  boost::asio::io_context io;
  auto client = std::make_shared<weft::crisp::CrispClient>(io.get_executor(), *crisp);
  weft::graphs::GraphServices services;
  services.model = std::make_shared<weft::OfflineModel>();
  weft::crisp::register_tools(services.crisp_tools, std::make_shared<weft::crisp::CrispTools>(client));

  // The registry is a value: keep it (or copy the definition out with get()) before using it.
  const weft::graphs::GraphRegistry registry = weft::graphs::builtin_graphs();
  const weft::graphs::GraphDefinition& triage = registry.at("spam_triage");
  weft::CompiledGraph graph = triage.build(services, {.checkpointer = std::make_shared<weft::SqliteStore>(db_path)});

  weft::RunConfig config;
  config.thread_id = "triage-example";
  json::object input = triage.make_input(json::object{{"limit", 10}});
  auto result = boost::asio::co_spawn(io, graph.run(input, config), boost::asio::use_future);
  io.run();
  weft::RunResult run = result.get();
  run.check();
  std::cout << json::value_to<std::string>(run.values.at("summary")) << "\n";
  return 0;
} catch (const std::exception& e) {
  std::cerr << "error: " << e.what() << "\n";
  return 1;
}
