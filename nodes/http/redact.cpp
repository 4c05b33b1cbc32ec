#include "nodes/http/redact.hpp"

#include "nodes/http/detail/ascii.hpp"

#include <algorithm>
#include <array>

namespace weft::http {

namespace {
constexpr std::string_view kRedacted = "[redacted]";

bool contains_ci(std::string_view haystack, std::string_view needle) {
  const std::string h = detail::to_lower(haystack);
  return h.find(needle) != std::string::npos;
}

// Calls fn(name, value_begin, value_end) for each query parameter of `url` (offsets into url).
template <class Fn>
void for_each_query_parameter(std::string_view url, Fn fn) {
  const auto q = url.find('?');
  if (q == std::string_view::npos) return;
  std::size_t pos = q + 1;
  const std::size_t end = std::min(url.size(), url.find('#', pos));
  while (pos < end) {
    std::size_t amp = url.find('&', pos);
    if (amp == std::string_view::npos || amp > end) amp = end;
    const auto pair = url.substr(pos, amp - pos);
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos) fn(pair.substr(0, eq), pos + eq + 1, amp);
    pos = amp + 1;
  }
}
}  // namespace

bool is_secret_header(std::string_view name) {
  static constexpr std::array<std::string_view, 6> exact = {
      "authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "api-key"};
  const std::string lower = detail::to_lower(name);
  if (std::find(exact.begin(), exact.end(), lower) != exact.end()) return true;
  return contains_ci(lower, "token") || contains_ci(lower, "secret") || contains_ci(lower, "key");
}

bool is_secret_query_parameter(std::string_view name) {
  static constexpr std::array<std::string_view, 11> names = {
      "key", "api_key", "apikey", "api-key", "token", "access_token", "secret", "password",
      "signature", "sig", "client_secret"};
  const std::string lower = detail::to_lower(name);
  return std::find(names.begin(), names.end(), lower) != names.end();
}

std::string redact_url(std::string_view url) {
  std::string out(url);
  // userinfo: scheme://user:pass@host
  if (const auto scheme = out.find("://"); scheme != std::string::npos) {
    const auto host_end = out.find_first_of("/?#", scheme + 3);
    const auto at = out.rfind('@', host_end == std::string::npos ? out.size() : host_end);
    if (at != std::string::npos && at > scheme) {
      out.replace(scheme + 3, at - (scheme + 3), kRedacted);
    }
  }
  // Replace values right to left so earlier offsets stay valid.
  std::vector<std::pair<std::size_t, std::size_t>> ranges;
  for_each_query_parameter(out, [&](std::string_view name, std::size_t begin, std::size_t end) {
    if (is_secret_query_parameter(name) && end > begin) ranges.emplace_back(begin, end);
  });
  for (auto it = ranges.rbegin(); it != ranges.rend(); ++it) out.replace(it->first, it->second - it->first, kRedacted);
  return out;
}

std::vector<std::string> secrets_of(const Headers& headers, std::string_view url) {
  std::vector<std::string> secrets;
  auto add = [&](std::string_view s) {
    s = detail::trim(s);
    if (s.size() >= 4) secrets.emplace_back(s);
  };
  for (const auto& [name, value] : headers) {
    if (!is_secret_header(name)) continue;
    add(value);
    if (const auto space = value.find(' '); space != std::string::npos) add(std::string_view(value).substr(space + 1));
  }
  for_each_query_parameter(url, [&](std::string_view name, std::size_t begin, std::size_t end) {
    if (is_secret_query_parameter(name)) add(url.substr(begin, end - begin));
  });
  // Longest first, so "Bearer sk-1" is replaced as a whole before "sk-1".
  std::sort(secrets.begin(), secrets.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
  return secrets;
}

std::string redact(std::string text, const std::vector<std::string>& secrets) {
  for (const auto& secret : secrets) {
    if (secret.empty()) continue;
    std::size_t pos = 0;
    while ((pos = text.find(secret, pos)) != std::string::npos) {
      text.replace(pos, secret.size(), kRedacted);
      pos += kRedacted.size();
    }
  }
  return text;
}

}  // namespace weft::http
