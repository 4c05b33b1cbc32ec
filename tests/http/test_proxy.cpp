// SPDX-License-Identifier: MIT
#include "tests/http/test_proxy.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <array>

namespace weft::test {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

TestProxy::TestProxy() : acceptor_(io_, tcp::endpoint(asio::ip::address_v4::loopback(), 0)) {
  port_ = acceptor_.local_endpoint().port();
  acceptor_thread_ = std::thread([this] { accept_loop(); });
}

TestProxy::~TestProxy() {
  stopping_ = true;
  boost::system::error_code ec;
  {
    asio::io_context wake_io;
    tcp::socket wake(wake_io);
    wake.connect(tcp::endpoint(asio::ip::address_v4::loopback(), port_), ec);
  }
  acceptor_thread_.join();
  {
    std::lock_guard lock(mutex_);
    for (auto& s : sockets_) {
      s->shutdown(tcp::socket::shutdown_both, ec);
      s->close(ec);
    }
  }
  for (auto& w : workers_) w.join();
}

std::string TestProxy::url() const { return "http://127.0.0.1:" + std::to_string(port_); }

std::vector<std::string> TestProxy::seen() const {
  std::lock_guard lock(mutex_);
  return seen_;
}

std::vector<std::string> TestProxy::authorizations() const {
  std::lock_guard lock(mutex_);
  return authorizations_;
}

void TestProxy::record(std::string line, std::string authorization) {
  std::lock_guard lock(mutex_);
  seen_.push_back(std::move(line));
  authorizations_.push_back(std::move(authorization));
}

void TestProxy::accept_loop() {
  while (!stopping_) {
    auto socket = std::make_shared<tcp::socket>(io_);
    boost::system::error_code ec;
    acceptor_.accept(*socket, ec);
    if (ec || stopping_) continue;
    std::lock_guard lock(mutex_);
    sockets_.push_back(socket);
    workers_.emplace_back([this, socket] { serve(socket); });
  }
}

namespace {

// Copies bytes from `from` to `to` until either side closes.
void pump(tcp::socket& from, tcp::socket& to) {
  std::array<char, 16 * 1024> buffer;
  boost::system::error_code ec;
  for (;;) {
    const std::size_t n = from.read_some(asio::buffer(buffer), ec);
    if (ec) break;
    asio::write(to, asio::buffer(buffer.data(), n), ec);
    if (ec) break;
  }
  to.shutdown(tcp::socket::shutdown_send, ec);
}

// "host:port" -> a connected socket, or nullptr.
std::shared_ptr<tcp::socket> dial(asio::io_context& io, const std::string& authority) {
  std::string host = authority;
  std::string port = "80";
  const auto colon = authority.rfind(':');
  if (colon != std::string::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (!host.empty() && host.front() == '[') host = host.substr(1, host.size() - 2);
  boost::system::error_code ec;
  tcp::resolver resolver(io);
  auto endpoints = resolver.resolve(host, port, ec);
  if (ec) return nullptr;
  auto socket = std::make_shared<tcp::socket>(io);
  asio::connect(*socket, endpoints, ec);
  if (ec) return nullptr;
  return socket;
}

}  // namespace

void TestProxy::serve(std::shared_ptr<tcp::socket> client) {
  boost::beast::flat_buffer buffer;
  boost::system::error_code ec;
  for (;;) {
    bhttp::request<bhttp::string_body> request;
    bhttp::read(*client, buffer, request, ec);
    if (ec) return;
    const std::string target(request.target());
    record(std::string(request.method_string()) + " " + target,
           std::string(request[bhttp::field::proxy_authorization]));
    if (request.method() == bhttp::verb::connect) {
      auto upstream = dial(io_, target);
      if (!upstream) {
        const std::string refused = "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n";
        asio::write(*client, asio::buffer(refused), ec);
        return;
      }
      {
        std::lock_guard lock(mutex_);
        sockets_.push_back(upstream);
      }
      const std::string established = "HTTP/1.1 200 Connection Established\r\n\r\n";
      asio::write(*client, asio::buffer(established), ec);
      if (buffer.size() > 0) asio::write(*upstream, buffer.data(), ec);
      std::thread back([upstream, client] { pump(*upstream, *client); });
      pump(*client, *upstream);
      back.join();
      return;
    }
    // Absolute form: http://host:port/path -> forward with the origin-form target.
    const std::string prefix = "http://";
    if (target.rfind(prefix, 0) != 0) {
      bhttp::response<bhttp::string_body> bad(bhttp::status::bad_request, 11);
      bad.body() = "not an absolute-form target";
      bad.prepare_payload();
      bhttp::write(*client, bad, ec);
      return;
    }
    const auto slash = target.find('/', prefix.size());
    const std::string authority = target.substr(prefix.size(), slash - prefix.size());
    auto upstream = dial(io_, authority);
    if (!upstream) {
      bhttp::response<bhttp::string_body> bad(bhttp::status::bad_gateway, 11);
      bad.prepare_payload();
      bhttp::write(*client, bad, ec);
      return;
    }
    request.target(slash == std::string::npos ? "/" : target.substr(slash));
    request.erase(bhttp::field::proxy_authorization);
    bhttp::write(*upstream, request, ec);
    boost::beast::flat_buffer upstream_buffer;
    bhttp::response<bhttp::string_body> response;
    bhttp::read(*upstream, upstream_buffer, response, ec);
    if (ec) return;
    upstream->close(ec);
    bhttp::write(*client, response, ec);
    if (ec || !request.keep_alive() || !response.keep_alive()) return;
  }
}

}  // namespace weft::test
