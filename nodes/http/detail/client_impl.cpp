// SPDX-License-Identifier: MIT
// Client::Impl's members other than the request loop: construction (secrets, proxy credentials),
// the lazily built TLS context, per-host state and limits, retry waits, proxy routing.
#include "nodes/http/detail/client_impl.hpp"

#include "nodes/http/detail/retry_policy.hpp"

#include <boost/system/error_code.hpp>

#include <algorithm>
#include <iterator>

namespace weft::http {

Client::Impl::Impl(asio::any_io_executor ex, ClientOptions opts)
    : executor(std::move(ex)),
      options(std::move(opts)),
      clock(options.clock ? options.clock : system_clock()),
      proxy(options.proxy ? *options.proxy : ProxySettings::from_env()) {
  rng.seed(options.jitter_seed != 0 ? options.jitter_seed : std::random_device{}());
  for (const auto& secret : options.secrets) redactor.add(secret);
  // A proxy URL's password must not show either (its URL is already shown redacted).
  for (const auto* proxy_url : {&proxy.http_proxy, &proxy.https_proxy}) {
    const auto at = proxy_url->rfind('@');
    const auto scheme = proxy_url->find("://");
    const auto start = scheme == std::string::npos ? 0 : scheme + 3;
    if (at == std::string::npos || at < start) continue;
    const std::string userinfo = proxy_url->substr(start, at - start);
    const auto colon = userinfo.find(':');
    if (colon != std::string::npos) redactor.add_credentials(userinfo.substr(0, colon), userinfo.substr(colon + 1));
  }
  if (!options.extra_ca_pem.empty()) tls();  // a bad extra_ca_pem is reported by the constructor
}

asio::ssl::context& Client::Impl::tls() {
  // A throw leaves the flag unset, so a later call tries again (and throws again).
  std::call_once(tls_once, [this] {
    auto context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
    boost::system::error_code ec;
    if (options.use_system_ca) context->set_default_verify_paths(ec);  // absent store: only extra_ca_pem is trusted
    if (!options.extra_ca_pem.empty()) {
      context->add_certificate_authority(asio::buffer(options.extra_ca_pem), ec);
      if (ec) {
        throw weft::Error(
            make_error_code(error::tls_failed),
            "http client: ClientOptions::extra_ca_pem is not a valid PEM certificate (" + ec.message() + ")");
      }
    }
    context->set_verify_mode(options.verify_peer ? asio::ssl::verify_peer : asio::ssl::verify_none);
    tls_context = std::move(context);
  });
  return *tls_context;
}

HostLimits Client::Impl::limits_for(const detail::Url& url) const {
  if (auto it = options.host_limits.find(url.host + ":" + std::to_string(url.port)); it != options.host_limits.end()) {
    return it->second;
  }
  if (auto it = options.host_limits.find(url.host); it != options.host_limits.end()) return it->second;
  return options.default_limits;
}

std::shared_ptr<detail::HostState> Client::Impl::host_for(const detail::Url& url) {
  std::lock_guard lock(mutex);
  auto& slot = hosts[url.pool_key()];
  if (!slot) slot = std::make_shared<detail::HostState>(url.authority(), limits_for(url), clock->steady_now());
  return slot;
}

double Client::Impl::draw_unit() {
  std::lock_guard lock(mutex);
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

chr::nanoseconds Client::Impl::backoff(int attempt) {
  return detail::backoff_delay(options.retry, attempt, draw_unit());
}

chr::nanoseconds Client::Impl::spread(chr::nanoseconds server_wait) {
  // No draw without jitter: the generator's sequence stays as it was before the split.
  if (std::clamp(options.retry.jitter, 0.0, 1.0) <= 0) return chr::nanoseconds::zero();
  return detail::spread_delay(options.retry, server_wait, draw_unit());
}

std::vector<std::string> Client::Impl::all_secrets(std::vector<std::string> request_secrets) const {
  std::vector<std::string> all = redactor.secrets();
  all.insert(all.end(), std::make_move_iterator(request_secrets.begin()),
             std::make_move_iterator(request_secrets.end()));
  std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
  return all;
}

std::optional<detail::ProxyRoute> Client::Impl::route_for(const detail::Url& url, const std::string& host) const {
  try {
    return detail::proxy_for(proxy, url);
  } catch (const weft::Error& e) {
    throw RequestError(error::invalid_url, host, 0, 0, redactor.apply(e.what()));
  }
}

}  // namespace weft::http
