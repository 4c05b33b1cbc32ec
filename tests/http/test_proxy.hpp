// SPDX-License-Identifier: MIT
#pragma once
// A loopback HTTP proxy for tests (Beast, blocking, a thread per connection): forwards
// absolute-form requests (GET http://host:port/path) and tunnels CONNECT host:port. Records the
// request line and Proxy-Authorization of every request it receives.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace weft::test {

class TestProxy {
 public:
  TestProxy();
  ~TestProxy();
  TestProxy(const TestProxy&) = delete;
  TestProxy& operator=(const TestProxy&) = delete;

  std::uint16_t port() const { return port_; }
  /// "http://127.0.0.1:<port>"
  std::string url() const;
  /// "GET http://127.0.0.1:1234/x", "CONNECT localhost:443", in arrival order.
  std::vector<std::string> seen() const;
  /// Proxy-Authorization values received ("" when absent), one per request.
  std::vector<std::string> authorizations() const;

 private:
  void accept_loop();
  void serve(std::shared_ptr<boost::asio::ip::tcp::socket> client);
  void record(std::string line, std::string authorization);

  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::vector<std::string> seen_;
  std::vector<std::string> authorizations_;
  std::vector<std::shared_ptr<boost::asio::ip::tcp::socket>> sockets_;
  std::vector<std::thread> workers_;
  std::thread acceptor_thread_;
};

}  // namespace weft::test
