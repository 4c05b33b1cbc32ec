// SPDX-License-Identifier: MIT
#include "nodes/http/redact.hpp"

#include "nodes/http/detail/ascii.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>

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
// Longest first, so "Bearer sk-1" is replaced as a whole before "sk-1".
void sort_longest_first(std::vector<std::string>& secrets) {
  std::stable_sort(secrets.begin(), secrets.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
}

// Strict standard base64 (padding optional); nullopt for anything else.
std::optional<std::string> base64_decode(std::string_view text) {
  static constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::string out;
  std::uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    const auto v = alphabet.find(c);
    if (v == std::string_view::npos) return std::nullopt;
    bits = (bits << 6) | static_cast<std::uint32_t>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xFF));
    }
  }
  return out;
}
}  // namespace

bool is_secret_header(std::string_view name) {
  static constexpr std::array<std::string_view, 6> exact = {"authorization", "proxy-authorization", "cookie",
                                                            "set-cookie",    "x-api-key",           "api-key"};
  const std::string lower = detail::to_lower(name);
  if (std::find(exact.begin(), exact.end(), lower) != exact.end()) return true;
  return contains_ci(lower, "token") || contains_ci(lower, "secret") || contains_ci(lower, "key");
}

bool is_secret_query_parameter(std::string_view name) {
  static constexpr std::array<std::string_view, 11> names = {"key",       "api_key",      "apikey",       "api-key",
                                                             "token",     "access_token", "secret",       "password",
                                                             "signature", "sig",          "client_secret"};
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
    if (const auto space = value.find(' '); space != std::string::npos) {
      const std::string_view credential = detail::trim(std::string_view(value).substr(space + 1));
      add(credential);
      // HTTP Basic: a server may echo the decoded pair or the password alone.
      if (detail::iequals(std::string_view(value).substr(0, space), "basic")) {
        if (const auto decoded = base64_decode(credential)) {
          const auto colon = decoded->find(':');
          for (auto& form :
               secrets_of_credentials(decoded->substr(0, colon == std::string::npos ? 0 : colon),
                                      colon == std::string::npos ? *decoded : decoded->substr(colon + 1))) {
            add(form);
          }
        }
      }
    }
  }
  for_each_query_parameter(url, [&](std::string_view name, std::size_t begin, std::size_t end) {
    if (is_secret_query_parameter(name)) add(url.substr(begin, end - begin));
  });
  sort_longest_first(secrets);
  return secrets;
}

std::vector<std::string> secrets_of_credentials(std::string_view user, std::string_view password) {
  std::vector<std::string> out;
  auto add = [&](std::string s) {
    if (s.size() >= 4) out.push_back(std::move(s));
  };
  add(std::string(password));
  if (!user.empty()) {
    const std::string pair = std::string(user) + ":" + std::string(password);
    const std::string encoded = base64_encode(pair);
    add(pair);
    add("Basic " + encoded);
    add(encoded);
    std::string unpadded = encoded;
    while (!unpadded.empty() && unpadded.back() == '=') unpadded.pop_back();
    add(unpadded);
  }
  const std::string encoded_password = base64_encode(password);
  if (password.size() >= 4) add(encoded_password);
  sort_longest_first(out);
  return out;
}

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(std::max(0, n)));
  return out;
}

void Redactor::add(std::string_view secret) {
  if (secret.size() < 4) return;
  std::lock_guard lock(mutex_);
  if (std::find(secrets_.begin(), secrets_.end(), secret) != secrets_.end()) return;
  secrets_.emplace_back(secret);
  sort_longest_first(secrets_);
}

void Redactor::add_credentials(std::string_view user, std::string_view password) {
  for (const auto& form : secrets_of_credentials(user, password)) add(form);
}

std::vector<std::string> Redactor::secrets() const {
  std::lock_guard lock(mutex_);
  return secrets_;
}

std::string Redactor::apply(std::string text, const std::vector<std::string>& extra) const {
  std::vector<std::string> all = secrets();
  all.insert(all.end(), extra.begin(), extra.end());
  sort_longest_first(all);
  return redact(std::move(text), all);
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
