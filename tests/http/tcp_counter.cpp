// SPDX-License-Identifier: MIT
#include "tests/http/tcp_counter.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>

#include <array>

namespace weft::test {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// Copies bytes one way; closes both sockets when either side ends.
struct Pipe : std::enable_shared_from_this<Pipe> {
  Pipe(std::shared_ptr<tcp::socket> from, std::shared_ptr<tcp::socket> to) : from(std::move(from)), to(std::move(to)) {}
  void start() {
    auto self = shared_from_this();
    from->async_read_some(asio::buffer(buffer), [self](boost::system::error_code ec, std::size_t n) {
      if (ec) return self->stop();
      asio::async_write(*self->to, asio::buffer(self->buffer.data(), n),
                        [self](boost::system::error_code wec, std::size_t) {
                          if (wec) return self->stop();
                          self->start();
                        });
    });
  }
  void stop() {
    boost::system::error_code ec;
    from->shutdown(tcp::socket::shutdown_both, ec);
    to->shutdown(tcp::socket::shutdown_both, ec);
    from->close(ec);
    to->close(ec);
  }
  std::shared_ptr<tcp::socket> from, to;
  std::array<char, 8192> buffer{};
};

}  // namespace

TcpCounter::TcpCounter(std::uint16_t target_port)
    : acceptor_(io_, tcp::endpoint(asio::ip::address_v4::loopback(), 0)), target_port_(target_port) {
  port_ = acceptor_.local_endpoint().port();
  accept();
  thread_ = std::thread([this] { io_.run(); });
}

TcpCounter::~TcpCounter() {
  io_.stop();
  if (thread_.joinable()) thread_.join();
}

void TcpCounter::accept() {
  acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
    if (ec) return;
    ++connections_;
    auto client = std::make_shared<tcp::socket>(std::move(socket));
    auto upstream = std::make_shared<tcp::socket>(io_);
    upstream->async_connect(tcp::endpoint(asio::ip::address_v4::loopback(), target_port_),
                            [client, upstream](boost::system::error_code cec) {
                              if (cec) return;
                              std::make_shared<Pipe>(client, upstream)->start();
                              std::make_shared<Pipe>(upstream, client)->start();
                            });
    accept();
  });
}

}  // namespace weft::test
