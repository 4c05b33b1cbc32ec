// SPDX-License-Identifier: MIT
#pragma once
// A loopback TCP relay that counts the connections it accepts, placed in front of a server so a
// test can see how many connections a client really opened (keep-alive reuse).

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>

namespace weft::test {

class TcpCounter {
 public:
  /// Relays 127.0.0.1:<port()> to 127.0.0.1:<target_port> on its own thread.
  explicit TcpCounter(std::uint16_t target_port);
  ~TcpCounter();
  std::uint16_t port() const { return port_; }
  std::uint64_t connections() const { return connections_; }

 private:
  void accept();
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t target_port_;
  std::uint16_t port_ = 0;
  std::atomic<std::uint64_t> connections_{0};
  std::thread thread_;
};

}  // namespace weft::test
