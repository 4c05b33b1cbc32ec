// SPDX-License-Identifier: MIT
#include "server/detail/listener.hpp"

#include "server/detail/constant_time.hpp"
#include "server/detail/state.hpp"
#include "server/mcp/mcp_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <iostream>

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

namespace weft::server::detail {
namespace {}  // namespace

Listener::Listener(ServerState& state, Router router)
    : state_(state), router_(std::move(router)), acceptor_(state.io) {}

void Listener::open() {
  const tcp::endpoint endpoint(net::ip::make_address(state_.options.host), state_.options.port);
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(net::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(net::socket_base::max_listen_connections);
  port_ = acceptor_.local_endpoint().port();
}

void Listener::start_accepting() { net::co_spawn(state_.io, accept_loop(), net::detached); }

void Listener::close() {
  closed_ = true;
  boost::system::error_code ec;
  acceptor_.close(ec);
  for (auto& [id, weak] : open_) {
    if (auto stream = weak.lock()) stream->socket().close(ec);
  }
}

net::awaitable<void> Listener::accept_loop() {
  auto self = shared_from_this();
  while (!closed_) {
    boost::system::error_code ec;
    tcp::socket socket = co_await acceptor_.async_accept(net::redirect_error(net::use_awaitable, ec));
    if (ec) {
      if (closed_ || ec == net::error::operation_aborted) co_return;
      continue;  // e.g. too many open files: keep accepting
    }
    // SSE frames and small replies are written as they come: without TCP_NODELAY, Nagle's
    // algorithm holds a frame back until the client's delayed ACK (~40 ms on Linux).
    boost::system::error_code option_ec;
    socket.set_option(tcp::no_delay(true), option_ec);
    boost::system::error_code peer_ec;
    std::string client = socket.remote_endpoint(peer_ec).address().to_string();
    auto stream = std::make_shared<beast::tcp_stream>(std::move(socket));
    const std::uint64_t id = next_id_++;
    open_[id] = stream;
    net::co_spawn(state_.io, serve(stream, std::move(client), id), net::detached);
  }
}

bool Listener::authorized(const Request& request) const {
  const std::string& key = state_.options.api_key;
  if (key.empty()) return true;
  if (auto it = request.find("x-api-key"); it != request.end()) return same_secret(it->value(), key);
  if (auto it = request.find(http::field::authorization); it != request.end()) {
    std::string_view value = it->value();
    constexpr std::string_view bearer = "Bearer ";
    if (value.size() > bearer.size() && value.substr(0, bearer.size()) == bearer)
      return same_secret(value.substr(bearer.size()), key);
  }
  return false;
}

net::awaitable<void> Listener::serve(std::shared_ptr<beast::tcp_stream> stream, std::string client, std::uint64_t id) {
  auto self = shared_from_this();
  std::size_t& count = per_client_[client];
  ++count;
  beast::flat_buffer buffer;
  beast::error_code ec;
  if (count > state_.options.max_connections_per_client) {
    Request dummy;
    dummy.version(11);
    dummy.keep_alive(false);
    Response res = error_response(dummy, 429, "too many open connections from " + client);
    stream->expires_after(state_.options.io_timeout);
    co_await http::async_write(*stream, res, net::redirect_error(net::use_awaitable, ec));
  } else {
    while (!closed_) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(state_.options.body_limit);
      parser.header_limit(16 * 1024);
      stream->expires_after(state_.options.io_timeout);
      co_await http::async_read(*stream, buffer, parser, net::redirect_error(net::use_awaitable, ec));
      if (ec == http::error::body_limit) {
        Request head;
        head.version(11);
        head.keep_alive(false);
        const std::string limit_text =
            "request body exceeds the limit of " + std::to_string(state_.options.body_limit) + " bytes";
        Response res = error_response(head, 413, limit_text);
        const auto target = parser.get().target();
        if (std::string_view(target.data(), target.size()).starts_with("/mcp")) {
          // An MCP client reads JSON-RPC errors, not {"detail"}.
          res.body() = mcp::McpServer::error_text(mcp::rpc_error::invalid_request, limit_text);
          res.prepare_payload();
        }
        stream->expires_after(state_.options.io_timeout);
        co_await http::async_write(*stream, res, net::redirect_error(net::use_awaitable, ec));
        // Lingering close: a close with the rest of the body unread resets the connection, and
        // the client may lose the 413 it has not read yet. Drain (bounded: 2 s, 64 MiB) first.
        stream->socket().shutdown(tcp::socket::shutdown_send, ec);
        std::size_t drained = 0;
        std::vector<char> sink(64 * 1024);
        stream->expires_after(std::chrono::seconds(2));
        while (drained < (std::size_t{64} << 20)) {
          const std::size_t n =
              co_await stream->async_read_some(net::buffer(sink), net::redirect_error(net::use_awaitable, ec));
          if (ec) break;
          drained += n;
        }
        break;
      }
      if (ec) break;  // closed, timed out, or malformed HTTP: drop the connection
      Request request = parser.release();
      const bool keep = co_await answer(*stream, request);
      if (!keep) break;
    }
  }
  stream->socket().shutdown(tcp::socket::shutdown_send, ec);
  stream->socket().close(ec);
  if (--per_client_[client] == 0) per_client_.erase(client);
  open_.erase(id);
}

net::awaitable<bool> Listener::answer(beast::tcp_stream& stream, Request& request) {
  Exchange exchange(request, stream, state_.options.io_timeout);
  std::string_view target = request.target();
  std::string_view path = target.substr(0, target.find('?'));
  if (auto q = target.find('?'); q != std::string_view::npos) exchange.query = parse_query(target.substr(q + 1));

  std::optional<Response> failure;
  // Crisp cannot send our API key: its hooks prove themselves with their own secret (the route
  // checks it before anything else).
  const bool public_route = (request.method() == http::verb::get && path == "/ok") ||
                            (request.method() == http::verb::post && path == "/crisp/hooks") ||
                            is_inbox_page(request.method(), path);
  if (!public_route && !authorized(request)) {
    failure = error_response(request, 401, "missing or wrong API key (send x-api-key or Authorization: Bearer)");
  } else {
    bool path_known = false;
    const Handler* handler = router_.match(request.method(), path, exchange.params, path_known);
    if (handler == nullptr) {
      failure = path_known ? error_response(request, 405, "method not allowed")
                           : error_response(request, 404, "not found: " + std::string(path));
    } else {
      try {
        net::awaitable<void> work = (*handler)(state_, exchange);
        co_await std::move(work);
      } catch (const ApiError& e) {
        failure = error_response(request, e.status(), e.what());
      } catch (const std::exception& e) {
        failure = error_response(request, 500, e.what());
      }
    }
  }
  beast::error_code ec;
  if (exchange.streamed()) co_return false;  // an event stream ends with the connection
  Response res = failure               ? std::move(*failure)
                 : exchange.response() ? std::move(*exchange.response())
                                       : error_response(request, 500, "the route gave no answer");
  const bool keep = res.keep_alive() && !closed_;
  res.keep_alive(keep);
  stream.expires_after(state_.options.io_timeout);
  co_await http::async_write(stream, res, net::redirect_error(net::use_awaitable, ec));
  co_return keep && !ec;
}

}  // namespace weft::server::detail
