// SPDX-License-Identifier: MIT
#include "testing/crisp_sandbox.hpp"

#include "sandbox/crisp/sandbox.hpp"

namespace weft::testing {

struct CrispSandbox::Impl {
  sandbox::crisp::Sandbox server;
  explicit Impl(sandbox::crisp::SandboxOptions options) : server(std::move(options)) {}
};

namespace {

sandbox::crisp::SandboxOptions to_sandbox_options(const CrispSandboxOptions& options) {
  sandbox::crisp::SandboxOptions out;
  out.port = options.port;
  out.seed = options.seed;
  out.state_file = options.state_file;
  if (!options.faults.empty()) out.faults = sandbox::crisp::parse_faults(options.faults);
  if (!options.rate_limits) {
    // 0 turns the token bucket and the daily quotas off (sandbox/README.md, "Tiers").
    out.limits.rate_per_second = 0;
    out.limits.quota_plugin = 0;
    out.limits.quota_website = 0;
    out.limits.quota_user = 0;
  }
  return out;
}

}  // namespace

CrispSandbox::CrispSandbox(CrispSandboxOptions options) : impl_(std::make_unique<Impl>(to_sandbox_options(options))) {}

CrispSandbox::~CrispSandbox() = default;

void CrispSandbox::start() { impl_->server.start(); }
void CrispSandbox::stop() { impl_->server.stop(); }
std::uint16_t CrispSandbox::port() const { return impl_->server.port(); }
std::string CrispSandbox::base_url() const { return impl_->server.base_url(); }
std::string CrispSandbox::api_url() const { return impl_->server.api_url(); }
std::string CrispSandbox::website_id() const { return impl_->server.website_id(); }

CrispSandboxCredentials CrispSandbox::credentials() const {
  const auto c = impl_->server.credentials();
  return {c.identifier, c.key, c.tier};
}

std::string CrispSandbox::effects_json() const { return impl_->server.effects_json(); }

}  // namespace weft::testing
