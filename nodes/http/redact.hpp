// SPDX-License-Identifier: MIT
#pragma once
// Redaction of secrets from anything the HTTP layer shows: errors, events, logs.

#include "nodes/http/message.hpp"

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace weft::http {

/// True for header names whose values are secrets: Authorization, Proxy-Authorization, Cookie,
/// Set-Cookie, X-Api-Key, Api-Key, and any name containing "token", "secret" or "key"
/// (case-insensitive).
bool is_secret_header(std::string_view name);

/// True for query parameter names that carry secrets (key, api_key, apikey, token, access_token,
/// secret, password, signature, sig; case-insensitive).
bool is_secret_query_parameter(std::string_view name);

/// The URL with the values of secret query parameters and any user:password@ replaced by
/// "[redacted]".
std::string redact_url(std::string_view url);

/// The secret strings of a request: values of secret headers (also without their scheme word, so
/// "Bearer sk-1" yields "Bearer sk-1" and "sk-1"; a "Basic" value also yields its decoded
/// "user:password" and the password), and secret query values. Strings shorter than 4 characters
/// are ignored (too likely to match innocent text). Longest first.
std::vector<std::string> secrets_of(const Headers& headers, std::string_view url);

/// The forms a credential pair takes on the wire and in echoes: the password, "user:password",
/// its base64 (padded and unpadded) and "Basic <base64>". The user alone is not a secret.
std::vector<std::string> secrets_of_credentials(std::string_view user, std::string_view password);

/// Standard base64 (with padding) of `bytes`.
std::string base64_encode(std::string_view bytes);

/// `text` with every occurrence of each secret replaced by "[redacted]". Secrets are applied in
/// the given order (secrets_of() sorts longest first, so "Bearer sk-1" goes as a whole).
std::string redact(std::string text, const std::vector<std::string>& secrets);

/// The one place a component's known secrets live, so that every text it lets out (error messages,
/// events, error bodies a server echoed, tool results) passes through the same masking.
/// add() ignores strings shorter than 4 characters (as secrets_of()).
/// Thread safety: every member may be called concurrently.
class Redactor {
 public:
  /// Registers `secret` as is.
  void add(std::string_view secret);
  /// Registers every form of a credential pair (secrets_of_credentials()).
  void add_credentials(std::string_view user, std::string_view password);
  /// Every registered secret, longest first.
  std::vector<std::string> secrets() const;
  /// `text` with every registered secret and every one of `extra` replaced by "[redacted]".
  std::string apply(std::string text, const std::vector<std::string>& extra = {}) const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> secrets_;  // longest first, no duplicates
};

}  // namespace weft::http
