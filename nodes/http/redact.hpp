#pragma once
// Redaction of secrets from anything the HTTP layer shows: errors, events, logs.

#include "nodes/http/message.hpp"

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
/// "Bearer sk-1" yields "Bearer sk-1" and "sk-1"), and secret query values. Strings shorter than 4
/// characters are ignored (too likely to match innocent text).
std::vector<std::string> secrets_of(const Headers& headers, std::string_view url);

/// `text` with every occurrence of each secret replaced by "[redacted]".
std::string redact(std::string text, const std::vector<std::string>& secrets);

}  // namespace weft::http
