// SPDX-License-Identifier: MIT
#include "nodes/http/proxy.hpp"

#include "nodes/http/detail/ascii.hpp"
#include "nodes/http/detail/proxy_route.hpp"
#include "nodes/http/error.hpp"
#include "nodes/http/redact.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>

namespace weft::http {

namespace {

std::optional<std::string> lookup(const std::function<std::optional<std::string>(std::string_view)>& env,
                                  const char* name) {
  if (env) return env(name);
  const char* v = std::getenv(name);
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

// Lower-case first (curl's rule: the upper-case HTTP_PROXY may be set by a CGI "Proxy:" header).
std::string first_set(const std::function<std::optional<std::string>(std::string_view)>& env, const char* lower,
                      const char* upper) {
  if (auto v = lookup(env, lower); v && !v->empty()) return *v;
  if (auto v = lookup(env, upper); v && !v->empty()) return *v;
  return {};
}

bool ends_with_domain(std::string_view host, std::string_view domain) {
  if (domain.empty()) return false;
  if (host == domain) return true;
  return host.size() > domain.size() && host.substr(host.size() - domain.size()) == domain &&
         host[host.size() - domain.size() - 1] == '.';
}

}  // namespace

ProxySettings ProxySettings::from_env(const std::function<std::optional<std::string>(std::string_view)>& env) {
  ProxySettings s;
  const std::string all = first_set(env, "all_proxy", "ALL_PROXY");
  s.http_proxy = first_set(env, "http_proxy", "HTTP_PROXY");
  s.https_proxy = first_set(env, "https_proxy", "HTTPS_PROXY");
  if (s.http_proxy.empty()) s.http_proxy = all;
  if (s.https_proxy.empty()) s.https_proxy = all;
  s.no_proxy = first_set(env, "no_proxy", "NO_PROXY");
  return s;
}

bool ProxySettings::bypasses(std::string_view host, unsigned port) const {
  std::string_view rest = no_proxy;
  while (!rest.empty()) {
    const auto sep = rest.find_first_of(", ");
    std::string entry = detail::to_lower(detail::trim(rest.substr(0, sep)));
    rest = sep == std::string_view::npos ? std::string_view{} : rest.substr(sep + 1);
    if (entry.empty()) continue;
    if (entry == "*") return true;
    // Optional ":port" (not for a bare IPv6 literal, which has several colons).
    std::optional<unsigned> entry_port;
    if (entry.front() == '[') {
      const auto close = entry.find(']');
      if (close == std::string::npos) continue;
      if (close + 1 < entry.size() && entry[close + 1] == ':') {
        unsigned p = 0;
        const auto text = std::string_view(entry).substr(close + 2);
        const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), p);
        if (ec != std::errc() || ptr != text.data() + text.size()) continue;
        entry_port = p;
      }
      entry = entry.substr(1, close - 1);
    } else if (std::count(entry.begin(), entry.end(), ':') == 1) {
      const auto colon = entry.find(':');
      unsigned p = 0;
      const auto text = std::string_view(entry).substr(colon + 1);
      const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), p);
      if (ec != std::errc() || ptr != text.data() + text.size()) continue;
      entry_port = p;
      entry = entry.substr(0, colon);
    }
    if (entry_port && *entry_port != port) continue;
    if (!entry.empty() && entry.front() == '.') entry.erase(0, 1);
    if (ends_with_domain(host, entry)) return true;
  }
  return false;
}

namespace detail {

std::optional<ProxyRoute> proxy_for(const ProxySettings& settings, const Url& url) {
  const std::string& proxy = url.tls ? settings.https_proxy : settings.http_proxy;
  if (proxy.empty() || settings.bypasses(url.host, url.port)) return std::nullopt;
  const char* variable = url.tls ? "HTTPS_PROXY" : "HTTP_PROXY";
  std::string text = proxy.find("://") == std::string::npos ? "http://" + proxy : proxy;
  ProxyRoute route;
  route.shown = redact_url(text);
  // Userinfo: scheme://user:pass@host...
  const auto scheme_end = text.find("://");
  const auto host_end = text.find_first_of("/?#", scheme_end + 3);
  const auto at = text.rfind('@', host_end == std::string::npos ? text.size() : host_end);
  if (at != std::string::npos && at > scheme_end) {
    const std::string userinfo = text.substr(scheme_end + 3, at - scheme_end - 3);
    const auto colon = userinfo.find(':');
    const std::string user = userinfo.substr(0, colon);
    const std::string password = colon == std::string::npos ? std::string() : userinfo.substr(colon + 1);
    route.authorization = "Basic " + base64_encode(user + ":" + password);
    text.erase(scheme_end + 3, at - scheme_end - 2);
  }
  const auto parsed = parse_url(text);
  if (!parsed || parsed->tls) {
    const std::string why = parsed ? "an https:// proxy (TLS to the proxy) is not supported; use http://proxy:port"
                                   : "it is not http://host:port";
    throw weft::Error(make_error_code(error::invalid_url), std::string("http: the proxy in ") + variable + " ('" +
                                                               route.shown + "') is unusable: " + why + "; fix " +
                                                               variable + " or list the host in NO_PROXY");
  }
  route.host = parsed->host;
  route.port = parsed->port;
  return route;
}

}  // namespace detail
}  // namespace weft::http
