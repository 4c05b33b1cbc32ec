// SPDX-License-Identifier: MIT
#pragma once
// Absolute http(s) URL split into what a connection needs (private).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace weft::http::detail {

struct Url {
  bool tls = false;
  std::string host;  ///< without brackets for IPv6 literals
  std::uint16_t port = 0;
  std::string target;  ///< path + query, at least "/"
  /// "host" or "host:port" when the port is not the scheme's default (IPv6 in brackets).
  std::string authority() const;
  /// Key of the connection pool and host limits: "http://host:port" / "https://host:port".
  std::string pool_key() const;
  /// True when host is an IP literal (no SNI then).
  bool host_is_ip() const;
};

/// nullopt unless `text` is http:// or https:// with a host and a valid port. Userinfo is rejected.
std::optional<Url> parse_url(std::string_view text);

}  // namespace weft::http::detail
