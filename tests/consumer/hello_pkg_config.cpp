// SPDX-License-Identifier: MIT
// Built by scripts/test-package.sh with nothing but pkg-config:
//   g++ -std=c++20 hello_pkg_config.cpp $(pkg-config --cflags --libs weft)
// A one-node graph checkpointed to SQLite, and the fake LLM started and stopped: exit 0 when the
// graph ran and the server answered to its address.

#include <weft/engine.hpp>
#include <weft/store.hpp>
#include <weft/testing.hpp>

#include <boost/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include <unistd.h>

namespace json = boost::json;

int main() try {
  char db_path[] = "/tmp/weft-pkg-config-XXXXXX";
  const int fd = ::mkstemp(db_path);
  if (fd < 0) return 1;
  ::close(fd);
  weft::StateGraph builder({{"count", weft::Channel::last_value()}}, "count_up");
  builder.add_node("add_one", [](weft::StateView state, weft::NodeContext) {
    return json::object{{"count", state.get_int("count") + 1}};
  });
  builder.add_edge(std::string(weft::START), "add_one");
  builder.add_edge("add_one", std::string(weft::END));
  const weft::RunResult run = [&] {
    weft::CompileOptions options;
    options.checkpointer = std::make_shared<weft::SqliteStore>(db_path);
    weft::CompiledGraph graph = builder.compile(std::move(options));
    weft::RunConfig config;
    config.thread_id = "pkg-config";
    return graph.invoke(json::object{{"count", 41}}, config);
  }();  // the graph and its store are closed here, so the database's files can go
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((std::string(db_path) + suffix).c_str());

  weft::testing::FakeLlm llm(json::parse(R"(["unused"])"));
  llm.start();
  const bool served = llm.base_url().rfind("http://127.0.0.1:", 0) == 0 && llm.port() != 0;
  llm.stop();

  const bool ok = run.status == weft::RunStatus::done && run.values.at("count") == 42 && served;
  std::cout << "pkg-config consumer: count " << json::serialize(run.values.at("count")) << ", fake LLM at "
            << (served ? "a loopback port" : "no port") << (ok ? ": ok\n" : ": WRONG\n");
  return ok ? 0 : 1;
} catch (const std::exception& e) {
  std::cerr << "pkg-config consumer: " << e.what() << "\n";
  return 1;
}
