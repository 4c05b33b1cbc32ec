// SPDX-License-Identifier: MIT
#pragma once
// A Crisp request that must not be repeated blindly (a write), and how a failed attempt is read:
// rejected, not sent (throttled), or of unknown outcome. Private to nodes/crisp.

#include "nodes/crisp/client.hpp"
#include "nodes/crisp/detail/write_checks.hpp"
#include "nodes/crisp/error.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <exception>
#include <optional>
#include <string>

namespace weft::crisp::detail {

/// A copy of the ApiError `failure` holds, or nullopt when it holds another exception.
std::optional<ApiError> api_error_in(const std::exception_ptr& failure);

/// One request with the client's usual retries; returns the response data. `before_send` (if
/// set) is asked before every attempt (RequestOptions::before_send).
boost::asio::awaitable<boost::json::value> plain_request(CrispClient* client, std::string method, std::string path,
                                                         boost::json::object query, boost::json::value body,
                                                         http::BeforeSend before_send = {});

/// One request that must not be repeated blindly: single HTTP attempts (the HTTP layer still waits
/// out rate-limited answers itself, within RetryPolicy::max_rate_limit_wait, as they were not
/// processed); after an attempt of unknown outcome, `check` (if any) looks before resending;
/// without a check, `resend_unknown` says whether resending is acceptable. Attempts and waits follow
/// the HTTP client's rules (RetryPolicy::max_attempts; the server's Retry-After / RateLimit-Reset
/// when it gave one, else the jittered backoff), so a write is never resent sooner than a read.
/// Returns the response data (or the check's result); rethrows the last failure otherwise.
/// `before_send` (if set) is asked before every attempt; what it throws ends the write unsent.
boost::asio::awaitable<boost::json::value> write_once(CrispClient* client, std::string method, std::string path,
                                                      boost::json::object query, boost::json::value body, CheckFn check,
                                                      bool resend_unknown, http::BeforeSend before_send = {});

}  // namespace weft::crisp::detail
