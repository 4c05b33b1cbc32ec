// SPDX-License-Identifier: MIT
// weft::http::Client's public members: thin forwards to the shared Client::Impl
// (detail/client_impl.hpp; the request loop is detail/request_loop.cpp).
#include "nodes/http/client.hpp"

#include "nodes/http/detail/client_impl.hpp"
#include "nodes/http/detail/connection.hpp"

#include <algorithm>
#include <memory>
#include <mutex>
#include <vector>

namespace weft::http {

namespace asio = boost::asio;
namespace chr = std::chrono;

Client::Client(asio::any_io_executor executor, ClientOptions options)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(options))) {}
Client::~Client() = default;
Client::Client(const Client&) = default;
Client& Client::operator=(const Client&) = default;

asio::awaitable<Response> Client::request(Request request) {
  auto impl = impl_;  // keeps the pool alive while the request runs
  auto running = impl->run(std::move(request));
  Response response = co_await std::move(running);
  co_return response;
}

void Client::set_host_limits(const std::string& host, HostLimits limits) {
  std::vector<std::shared_ptr<detail::HostState>> affected;
  {
    std::lock_guard lock(impl_->mutex);
    impl_->options.host_limits[host] = limits;
    for (auto& [key, state] : impl_->hosts) {
      // key is "scheme://host:port"; host may be "host" or "host:port".
      const auto authority = key.substr(key.find("://") + 3);
      if (authority == host || authority.substr(0, authority.rfind(':')) == host) affected.push_back(state);
    }
  }
  for (auto& state : affected) state->set_limits(limits);
}

chr::nanoseconds Client::retry_delay(int failures, std::optional<chr::milliseconds> server_wait) {
  if (server_wait && *server_wait > chr::milliseconds::zero()) return *server_wait + impl_->spread(*server_wait);
  return impl_->backoff(std::max(1, failures));
}

asio::awaitable<void> Client::sleep_for(chr::nanoseconds duration) {
  auto clock = impl_->clock;
  auto sleeping = clock->sleep_for(duration);
  co_await std::move(sleeping);
}

const RetryPolicy& Client::retry_policy() const noexcept { return impl_->options.retry; }

void Client::add_secret(std::string_view secret) { impl_->redactor.add(secret); }

void Client::add_credentials(std::string_view user, std::string_view password) {
  impl_->redactor.add_credentials(user, password);
}

std::string Client::redact(std::string text) const { return impl_->redactor.apply(std::move(text)); }

void Client::close_idle() {
  std::vector<std::shared_ptr<detail::HostState>> all;
  {
    std::lock_guard lock(impl_->mutex);
    for (auto& [key, state] : impl_->hosts) all.push_back(state);
  }
  for (auto& state : all) {
    for (auto& connection : state->drain_idle()) connection->close();
  }
}

std::optional<RateLimitSnapshot> Client::last_rate_limit() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->last_rate_limit;
}

ClientStats Client::stats() const {
  ClientStats s;
  s.attempts = impl_->attempts;
  s.connections_opened = impl_->connections_opened;
  s.connections_reused = impl_->connections_reused;
  s.retries = impl_->retries;
  s.local_waits = impl_->local_waits;
  return s;
}

}  // namespace weft::http
