// SPDX-License-Identifier: MIT
#include "sandbox/crisp/sandbox.hpp"

#include "sandbox/crisp/detail/api.hpp"
#include "sandbox/http/server.hpp"

namespace weft::sandbox::crisp {

struct Sandbox::Impl {
  explicit Impl(SandboxOptions o) : api(std::move(o)) {}
  detail::Api api;
  std::unique_ptr<http::Server> server;
  bool stopped = false;
};

Sandbox::Sandbox(SandboxOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Sandbox::~Sandbox() {
  try {
    stop();
  } catch (...) {  // a destructor must not throw; stop() already tried to save
  }
}

void Sandbox::start() {
  if (impl_->server) return;
  impl_->api.init();
  http::ServerOptions so;
  so.address = impl_->api.options().address;
  so.port = impl_->api.options().port;
  so.threads = impl_->api.options().threads;
  impl_->server = std::make_unique<http::Server>(impl_->api.build_router(), so);
  impl_->server->start();
}

void Sandbox::stop() {
  if (!impl_->server || impl_->stopped) return;
  impl_->stopped = true;
  impl_->server->stop();
  impl_->api.save_now();
}

std::uint16_t Sandbox::port() const { return impl_->server ? impl_->server->port() : 0; }
std::string Sandbox::base_url() const { return impl_->server ? impl_->server->base_url() : std::string(); }
std::string Sandbox::api_url() const { return base_url() + "/v1/"; }

Credentials Sandbox::credentials() const {
  const Token t = impl_->api.token();
  return Credentials{t.identifier, t.key, t.tier};
}

std::string Sandbox::website_id() const { return impl_->api.main_website_id(); }
std::string Sandbox::other_website_id() const { return impl_->api.other_website_id(); }
void Sandbox::set_faults(const Faults& faults) { impl_->api.set_faults(faults); }
Faults Sandbox::faults() const { return impl_->api.faults(); }
void Sandbox::set_limits(const Limits& limits) { impl_->api.set_limits(limits); }
std::string Sandbox::effects_json() const { return impl_->api.effects_json(0); }

}  // namespace weft::sandbox::crisp
