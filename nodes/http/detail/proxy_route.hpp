// SPDX-License-Identifier: MIT
#pragma once
// The proxy a request goes through (private).

#include "nodes/http/detail/url.hpp"
#include "nodes/http/proxy.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace weft::http::detail {

struct ProxyRoute {
  std::string host;           ///< the proxy's host
  std::uint16_t port = 0;     ///< the proxy's port
  std::string authorization;  ///< "Basic ..." from the proxy URL's userinfo, or ""
  std::string shown;          ///< "http://[redacted]@proxy:3128" for messages (no credentials)
};

/// The proxy for `url` under `settings`, or nullopt for a direct connection. Throws
/// weft::Error(http::error::invalid_url) naming the variable when the proxy URL is unusable
/// (not http://, no host, bad port); its credentials never appear in the message.
std::optional<ProxyRoute> proxy_for(const ProxySettings& settings, const Url& url);

}  // namespace weft::http::detail
