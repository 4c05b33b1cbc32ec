// SPDX-License-Identifier: MIT
#include "server/mcp/stdio_transport.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/executor_work_guard.hpp>

#include <memory>
#include <thread>

namespace net = boost::asio;

namespace weft::mcp {
namespace {

struct StdioState {
  McpServer& mcp;
  std::ostream& out;
  McpSession session;
  std::size_t in_flight = 0;
  bool input_ended = false;
  std::size_t messages = 0;
};

net::awaitable<void> answer(StdioState& state, std::string line) {
  net::awaitable<std::optional<std::string>> pending = state.mcp.handle_text(std::move(line), state.session);
  std::optional<std::string> reply = co_await std::move(pending);
  if (reply) state.out << *reply << '\n' << std::flush;
}

}  // namespace

std::size_t serve_stdio(net::io_context& io, McpServer& mcp, std::istream& in, std::ostream& out) {
  StdioState state{mcp, out, {}, 0, false, 0};
  auto work = net::make_work_guard(io);
  const std::size_t limit = mcp.options().max_message_bytes;

  auto finish_one = [&state, &work] {
    --state.in_flight;
    if (state.input_ended && state.in_flight == 0) work.reset();
  };
  auto deliver = [&](std::string line, std::size_t oversized) {
    net::post(io, [&, line = std::move(line), oversized]() mutable {
      ++state.messages;
      ++state.in_flight;
      if (oversized) {
        state.out << McpServer::error_text(rpc_error::invalid_request,
                                           "message of at least " + std::to_string(oversized) +
                                               " bytes exceeds the limit of " + std::to_string(limit) + " bytes")
                  << '\n'
                  << std::flush;
        finish_one();
        return;
      }
      net::co_spawn(io, answer(state, std::move(line)), [finish_one](std::exception_ptr) { finish_one(); });
    });
  };

  std::thread reader([&] {
    std::streambuf* buf = in.rdbuf();
    std::string line;
    std::size_t length = 0;  // of the current line, also past the limit
    for (;;) {
      const int c = buf->sbumpc();
      if (c == std::char_traits<char>::eof() || c == '\n') {
        const bool blank = line.find_first_not_of(" \t\r") == std::string::npos;
        if (length > limit) {
          deliver({}, length);
        } else if (!blank) {
          deliver(std::move(line), 0);
        }
        line.clear();
        length = 0;
        if (c == std::char_traits<char>::eof()) break;
        continue;
      }
      ++length;
      if (length <= limit)
        line += static_cast<char>(c);
      else if (!line.empty())
        std::string().swap(line);  // past the limit: drop what was kept
    }
    net::post(io, [&state, &work] {
      state.input_ended = true;
      if (state.in_flight == 0) work.reset();
    });
  });
  io.run();
  reader.join();
  return state.messages;
}

}  // namespace weft::mcp
