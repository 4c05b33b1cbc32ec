// SPDX-License-Identifier: MIT
#pragma once
// Errors of the Crisp integration (nodes/crisp/): the Crisp API's error envelope mapped to typed
// codes, and the tool layer's own rejections.
//
// Thrown as weft::Error (engine/error.hpp) with one of these codes, or as crisp::ApiError (a
// weft::Error) when Crisp answered with an error envelope. what() says what happened, to what
// (tool, method and route), and what to do. It never contains the API key, the identifier or the
// Authorization header.

#include "engine/error.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <system_error>

namespace weft::crisp {

enum class error {
  /// A tool call's arguments were rejected before any request: wrong type, missing field, an id
  /// that is not of its kind (session_<uuid>, uuid, integer fingerprint), an unknown argument, or
  /// an attempt to name a website (the binding fixes it). The message says where to get a valid id.
  invalid_argument = 1,
  /// 400 `invalid_data`: Crisp rejected the request body; the message carries Crisp's data.message.
  invalid_data,
  /// 401 `unauthorized`: the identifier/key pair is wrong or missing.
  unauthorized,
  /// 403 `not_allowed`: the token's tier or scopes do not allow this route.
  not_allowed,
  /// 402 `subscription_upgrade_required`: the website's plan lacks the feature (e.g. helpdesk).
  subscription_upgrade_required,
  /// 404 `not_found`: unknown route or unknown resource (conversation, inbox, article, ...).
  not_found,
  /// 404 `not_subscribed`: the token's plugin is not installed on that website (or the website is
  /// not the token's).
  not_subscribed,
  /// 423 `quota_limit_exceeded`: the daily quota is spent (after the HTTP layer's retries).
  quota_limit_exceeded,
  /// 429 or 420: still rate limited after the HTTP layer's retries.
  rate_limited,
  /// 5xx: still failing after the HTTP layer's retries.
  server_error,
  /// Any other error envelope (the reason is in the message).
  api_error,
  /// The response was not Crisp's {error, reason, data} envelope (or not JSON).
  bad_response,
  /// The request could not be completed: connection refused or dropped, timeout.
  transport,
  /// No longer produced: a write in doubt that cannot be checked is engine::error::effect_in_doubt,
  /// the effect protocol's one code for that outcome (engine/effect_protocol.hpp). Kept so that
  /// code naming it still compiles.
  in_doubt,
  /// The tool catalog is malformed (a catalog entry, a schema, a path template).
  invalid_catalog,
  /// A required setting is missing (CRISP_API_IDENTIFIER, CRISP_API_KEY, CRISP_WEBSITE_ID).
  missing_config,
};

const std::error_category& error_category() noexcept;
inline std::error_code make_error_code(error e) noexcept { return {static_cast<int>(e), error_category()}; }

/// The code for an error envelope: HTTP status plus Crisp's `reason`.
error error_for(int http_status, const std::string& reason) noexcept;

/// Crisp answered with {error: true, reason, data}. status() is the HTTP status, reason() Crisp's
/// reason string, detail() Crisp's data.message (may be empty; redacted like the message),
/// server_wait() how long the last answer asked to wait before trying again, when it said.
class ApiError : public weft::Error {
 public:
  ApiError(error code, int status, std::string reason, std::string detail, const std::string& message,
           std::optional<std::chrono::milliseconds> server_wait = std::nullopt)
      : weft::Error(make_error_code(code), message),
        status_(status),
        reason_(std::move(reason)),
        detail_(std::move(detail)),
        server_wait_(server_wait) {}
  int status() const noexcept { return status_; }
  const std::string& reason() const noexcept { return reason_; }
  const std::string& detail() const noexcept { return detail_; }
  std::optional<std::chrono::milliseconds> server_wait() const noexcept { return server_wait_; }

 private:
  int status_;
  std::string reason_;
  std::string detail_;
  std::optional<std::chrono::milliseconds> server_wait_;
};

}  // namespace weft::crisp

template <>
struct std::is_error_code_enum<weft::crisp::error> : std::true_type {};
