// SPDX-License-Identifier: MIT
#pragma once
// Proxies for the HTTP client, from the conventional environment variables.
//
// http:// requests go through the proxy in absolute form (GET http://host/path HTTP/1.1);
// https:// requests open a tunnel with CONNECT host:port, then TLS to the origin through it
// (certificate and host-name checks are the origin's, as without a proxy). The proxy itself is
// spoken to in plain HTTP ("http://proxy:port"; a scheme-less "proxy:port" means the same);
// credentials in its URL ("http://user:pass@proxy:3128") are sent as Proxy-Authorization: Basic and
// are redacted from every message.
//
// NO_PROXY: comma- (or space-) separated entries; "*" = every host; "example.com" and
// ".example.com" match that host and every sub-domain; an IP literal matches that address only;
// an entry may end in ":port" to match only that port. CIDR ranges are not supported.
// Loopback (localhost, 127.0.0.1, ::1) is NOT implicitly direct: a proxy set for all traffic also
// gets requests to loopback servers unless NO_PROXY lists them (curl and Go exempt nothing
// either unless told; being explicit keeps "every request goes through the proxy" true).

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace weft::http {

struct ProxySettings {
  /// Proxy URL for http:// requests; "" = direct. Default "".
  std::string http_proxy;
  /// Proxy URL for https:// requests (tunnelled with CONNECT); "" = direct. Default "".
  std::string https_proxy;
  /// Hosts that go direct (syntax above). Default "".
  std::string no_proxy;

  /// Reads HTTP_PROXY/http_proxy, HTTPS_PROXY/https_proxy and NO_PROXY/no_proxy (the lower-case
  /// form wins when both are set, as curl does; ALL_PROXY/all_proxy fills an unset one).
  /// `env` looks a variable up (nullopt = unset); default std::getenv. Thread safety: as getenv.
  static ProxySettings from_env(const std::function<std::optional<std::string>(std::string_view)>& env = {});

  /// True when `host` (lower-case; IPv6 without brackets) on `port` must not use a proxy.
  bool bypasses(std::string_view host, unsigned port) const;
};

}  // namespace weft::http
