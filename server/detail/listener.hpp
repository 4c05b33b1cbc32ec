// SPDX-License-Identifier: MIT
#pragma once
// Private: accepts connections and serves each as one coroutine (HTTP/1.1 keep-alive): read a
// request within io_timeout and body_limit, check the API key, route it, write the answer.
// Tracks open connections per client address (the cap) and all of them (for stop()).

#include "server/detail/router.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace weft::server::detail {

struct ServerState;

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(ServerState& state, Router router);

  /// Binds and listens on options.host:options.port; throws std::system_error.
  void open();
  void start_accepting();
  /// Closes the acceptor and every open connection.
  void close();
  std::uint16_t port() const noexcept { return port_; }

 private:
  boost::asio::awaitable<void> accept_loop();
  boost::asio::awaitable<void> serve(std::shared_ptr<boost::beast::tcp_stream> stream, std::string client,
                                     std::uint64_t id);
  boost::asio::awaitable<bool> answer(boost::beast::tcp_stream& stream, Request& request);
  bool authorized(const Request& request) const;

  ServerState& state_;
  Router router_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::map<std::string, std::size_t> per_client_;
  std::map<std::uint64_t, std::weak_ptr<boost::beast::tcp_stream>> open_;
  std::uint64_t next_id_ = 0;
  bool closed_ = false;
};

}  // namespace weft::server::detail
