// SPDX-License-Identifier: MIT
// weft::server serving the bench graphs, for bench/server/drive.mjs to load side by side with
// LangGraph.js's own server (bench/server/peer). Graphs:
//   chain: START -> a -> b -> c -> END, each node appends its name to `log` (peer/graph.mjs)
//   hold:  one node waiting input.ms milliseconds (keeps streams open for the RSS figure)
// usage: weft_bench_server [--port N] [--sqlite] [--workers N]
//   --sqlite: checkpoints in SQLite (sync) instead of memory (LangGraph's dev server is in-memory)
// Prints {"url": ..., "pid": ...} and serves until SIGINT/SIGTERM.

#include "engine/state_graph.hpp"
#include "server/server.hpp"
#include "store/memory_checkpointer.hpp"
#include "store/sqlite_store.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>

#include <csignal>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <unistd.h>

namespace json = boost::json;
using namespace weft;

namespace {

graphs::GraphDefinition chain() {
  graphs::GraphDefinition d;
  d.name = "chain";
  d.description = "three nodes in a row";
  d.input_schema = json::parse(R"({"type":"object","properties":{"n":{"type":"integer","default":0}}})").as_object();
  d.build = [](const graphs::GraphServices&, CompileOptions options) {
    StateGraph g({{"input", Channel::last_value()}, {"log", Channel::append()}}, "chain");
    for (const char* name : {"a", "b", "c"})
      g.add_node(name, [name](StateView, NodeContext) { return json::object{{"log", name}}; });
    g.add_edge(std::string(START), "a");
    g.add_edge("a", "b");
    g.add_edge("b", "c");
    g.add_edge("c", std::string(END));
    return g.compile(std::move(options));
  };
  return d;
}

graphs::GraphDefinition hold() {
  graphs::GraphDefinition d;
  d.name = "hold";
  d.description = "waits input.ms";
  d.input_schema =
      json::parse(R"({"type":"object","properties":{"ms":{"type":"integer","default":60000}}})").as_object();
  d.build = [](const graphs::GraphServices&, CompileOptions options) {
    StateGraph g({{"input", Channel::last_value()}}, "hold");
    g.add_node("wait", [](StateView s, NodeContext) -> boost::asio::awaitable<json::object> {
      const auto ms = s.at("input").as_object().at("ms").to_number<std::int64_t>();
      auto executor = co_await boost::asio::this_coro::executor;
      boost::asio::steady_timer timer(executor, std::chrono::milliseconds(ms));
      boost::system::error_code ec;
      co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
      co_return json::object();
    });
    g.add_edge(std::string(START), "wait");
    g.add_edge("wait", std::string(END));
    return g.compile(std::move(options));
  };
  return d;
}

}  // namespace

int main(int argc, char** argv) {
  server::ServerOptions options;
  options.max_connections_per_client = 100000;  // the driver is one address
  bool sqlite = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--port") && i + 1 < argc)
      options.port = static_cast<std::uint16_t>(std::stoi(argv[++i]));
    else if (!std::strcmp(argv[i], "--workers") && i + 1 < argc)
      options.workers = std::stoul(argv[++i]);
    else if (!std::strcmp(argv[i], "--sqlite"))
      sqlite = true;
  }
  const auto folder = std::filesystem::temp_directory_path() / ("weft-bench-server-" + std::to_string(::getpid()));
  std::filesystem::create_directories(folder);
  const std::string db = (folder / "weft.db").string();

  boost::asio::io_context io;
  server::ServerEnvironment env;
  env.registry.add(chain());
  env.registry.add(hold());
  if (sqlite) {
    auto store = std::make_shared<SqliteStore>(db);
    env.checkpointer = store;
    env.journal = store;
  } else {
    auto memory = std::make_shared<MemoryCheckpointer>();
    env.checkpointer = memory;
    env.journal = memory;
  }
  env.catalog_path = db;
  server::Server server(io, std::move(env), options);
  server.start();
  std::cout << "{\"url\":\"" << server.url() << "\",\"pid\":" << ::getpid() << "}" << std::endl;
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (!ec) server.stop([&io] { io.stop(); });
  });
  io.run();
  std::error_code ec;
  std::filesystem::remove_all(folder, ec);
  return 0;
}
