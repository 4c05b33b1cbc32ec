// SPDX-License-Identifier: MIT
#include "sandbox/http/server.hpp"

#include <system_error>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include "sandbox/http/detail/server_core.hpp"
#include "sandbox/http/detail/session.hpp"

namespace weft::sandbox::http {

namespace net = boost::asio;
using tcp = net::ip::tcp;

struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
  Impl(net::io_context* external, Router router, ServerOptions options)
      : core(std::make_shared<detail::ServerCore>(std::move(router), std::move(options))) {
    if (external == nullptr) {
      owned = std::make_unique<net::io_context>(static_cast<int>(std::max(1u, core->options.threads)));
      io = owned.get();
    } else {
      io = external;
    }
  }

  void do_accept() {
    acceptor->async_accept(net::make_strand(*io),
                           [self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
                             if (self->core->stopping) return;
                             if (!ec) {
                               auto session = std::make_shared<detail::Session>(std::move(socket), self->core);
                               self->core->track(session);
                               session->start();
                             } else if (ec == net::error::operation_aborted) {
                               return;
                             }
                             self->do_accept();
                           });
  }

  std::unique_ptr<net::io_context> owned;
  net::io_context* io = nullptr;
  std::shared_ptr<detail::ServerCore> core;
  std::optional<tcp::acceptor> acceptor;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  std::atomic<std::uint16_t> port{0};
  bool started = false;
  bool stopped = false;
};

Server::Server(Router router, ServerOptions options)
    : impl_(std::make_shared<Impl>(nullptr, std::move(router), std::move(options))) {}

Server::Server(net::io_context& io, Router router, ServerOptions options)
    : impl_(std::make_shared<Impl>(&io, std::move(router), std::move(options))) {}

Server::~Server() {
  try {
    stop();
  } catch (...) {  // joining a thread can throw std::system_error; a destructor must not
  }
}

void Server::start() {
  if (impl_->started) return;
  auto& impl = *impl_;
  const tcp::endpoint endpoint(net::ip::make_address(impl.core->options.address), impl.core->options.port);
  impl.acceptor.emplace(net::make_strand(*impl.io));
  impl.acceptor->open(endpoint.protocol());
  impl.acceptor->set_option(net::socket_base::reuse_address(true));
  impl.acceptor->bind(endpoint);
  impl.acceptor->listen(net::socket_base::max_listen_connections);
  impl.port = impl.acceptor->local_endpoint().port();
  impl.started = true;
  impl_->do_accept();
  if (impl.owned) {
    impl.work.emplace(impl.owned->get_executor());
    const unsigned n = std::max(1u, impl.core->options.threads);
    for (unsigned i = 0; i < n; ++i) {
      impl.threads.emplace_back([io = impl.owned.get()] { io->run(); });
    }
  }
}

void Server::stop() {
  auto& impl = *impl_;
  if (!impl.started || impl.stopped) return;
  impl.stopped = true;
  impl.core->stopping = true;
  net::post(impl.acceptor->get_executor(), [self = impl_] {
    boost::system::error_code ec;
    self->acceptor->close(ec);
  });
  for (auto& session : impl.core->live_sessions()) session->shutdown();
  if (impl.owned) {
    impl.work.reset();
    for (auto& t : impl.threads) {
      if (t.joinable()) t.join();
    }
    impl.threads.clear();
  }
}

std::uint16_t Server::port() const { return impl_->port; }

std::string Server::base_url() const {
  return "http://" + impl_->core->options.address + ":" + std::to_string(impl_->port.load());
}

void Server::set_faults(FaultPlan plan) { impl_->core->set_plan(std::move(plan)); }

FaultPlan Server::faults() const { return impl_->core->plan(); }

std::uint64_t Server::requests_served() const { return impl_->core->served; }

}  // namespace weft::sandbox::http
