// SPDX-License-Identifier: MIT
#pragma once
// What the MCP tests share: an McpServer over a Crisp client (the sandbox's, or a port where
// nothing listens), and running its awaitables to completion.

#include "nodes/crisp/client.hpp"
#include "nodes/crisp/tools.hpp"
#include "server/mcp/mcp_server.hpp"
#include "store/memory_checkpointer.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>

#include <memory>
#include <string>

namespace weft::mcp::test {

struct Fixture {
  boost::asio::io_context io;
  std::shared_ptr<MemoryCheckpointer> store = std::make_shared<MemoryCheckpointer>();
  std::shared_ptr<crisp::CrispTools> tools;
  std::unique_ptr<McpServer> server;
  McpSession session;

  /// A Crisp client on `config` (default: nothing listens at its URL, so a request fails).
  explicit Fixture(McpOptions options = {}, crisp::CrispConfig config = unreachable()) {
    tools =
        std::make_shared<crisp::CrispTools>(std::make_shared<crisp::CrispClient>(io.get_executor(), std::move(config)));
    McpEnvironment env;
    env.crisp = tools;
    env.journal = store;
    server = std::make_unique<McpServer>(std::move(env), std::move(options));
  }

  /// A new server (a restarted process) over the same Crisp tools and journal, and a new session.
  void restart(McpOptions options = {}) {
    McpEnvironment env;
    env.crisp = tools;
    env.journal = store;
    server = std::make_unique<McpServer>(std::move(env), std::move(options));
    session = {};
  }

  static crisp::CrispConfig unreachable() {
    crisp::CrispConfig config;
    config.base_url = "http://127.0.0.1:9/v1/";
    config.website_id = "00000000-0000-4000-8000-000000000000";
    return config;
  }

  /// The answer to one message text ("" when none).
  std::string send(std::string text) {
    auto future = boost::asio::co_spawn(io, server->handle_text(std::move(text), session), boost::asio::use_future);
    io.restart();
    io.run();
    auto answer = future.get();
    return answer ? *answer : std::string();
  }
  boost::json::value send_json(std::string text) { return boost::json::parse(send(std::move(text))); }

  void initialize() {
    send(
        R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"0"}}})");
  }
  /// tools/call `name` with `arguments` (JSON text): the result object.
  boost::json::object call(const std::string& name, const std::string& arguments) {
    auto answer = send_json(R"({"jsonrpc":"2.0","id":"c","method":"tools/call","params":{"name":")" + name +
                            R"(","arguments":)" + arguments + "}}");
    return answer.at("result").as_object();
  }
};

}  // namespace weft::mcp::test
