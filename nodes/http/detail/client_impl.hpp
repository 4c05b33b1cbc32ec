// SPDX-License-Identifier: MIT
#pragma once
// Client::Impl (private): the state one weft::http::Client and its copies share (options, clock,
// TLS context, per-host state, redaction, counters). The request loop is in request_loop.cpp, the
// rest of the members in client_impl.cpp.

#include "nodes/http/client.hpp"
#include "nodes/http/detail/host_state.hpp"
#include "nodes/http/detail/proxy_route.hpp"
#include "nodes/http/detail/url.hpp"
#include "nodes/http/proxy.hpp"
#include "nodes/http/redact.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace weft::http {

namespace asio = boost::asio;
namespace chr = std::chrono;

struct Client::Impl : std::enable_shared_from_this<Client::Impl> {
  Impl(asio::any_io_executor ex, ClientOptions opts);

  /// The request loop (detail/request_loop.cpp): admission, exchange, retry, give up.
  asio::awaitable<Response> run(Request request);

  std::shared_ptr<detail::HostState> host_for(const detail::Url& url);
  HostLimits limits_for(const detail::Url& url) const;
  /// The wait before retry number `attempt` after a failure (RetryPolicy backoff, jittered).
  chr::nanoseconds backoff(int attempt);
  /// The jitter added to a server-asked wait so that clients do not return all at once.
  chr::nanoseconds spread(chr::nanoseconds server_wait);
  /// One uniform draw in [0, 1) from the seeded generator (under mutex).
  double draw_unit();
  std::vector<std::string> all_secrets(std::vector<std::string> request_secrets) const;
  std::optional<detail::ProxyRoute> route_for(const detail::Url& url, const std::string& host) const;
  void emit(const RateLimitEvent& event) const {
    if (options.observer) options.observer(event);
  }

  asio::any_io_executor executor;
  ClientOptions options;
  std::shared_ptr<Clock> clock;
  ProxySettings proxy;
  Redactor redactor;  // the client's own secrets (ClientOptions::secrets, add_secret())
  // Built on the first HTTPS connection (or at construction when extra_ca_pem must be checked):
  // loading the system CA store costs tens of milliseconds, which a command talking only to a
  // loopback sandbox over plain HTTP should not pay at start-up.
  std::once_flag tls_once;
  std::unique_ptr<asio::ssl::context> tls_context;
  asio::ssl::context& tls();

  mutable std::mutex mutex;  // guards hosts, options.host_limits and rng
  std::map<std::string, std::shared_ptr<detail::HostState>> hosts;
  std::optional<RateLimitSnapshot> last_rate_limit;  // guarded by mutex
  std::mt19937_64 rng;

  std::atomic<std::uint64_t> attempts{0};
  std::atomic<std::uint64_t> connections_opened{0};
  std::atomic<std::uint64_t> connections_reused{0};
  std::atomic<std::uint64_t> retries{0};
  std::atomic<std::uint64_t> local_waits{0};
};

}  // namespace weft::http
