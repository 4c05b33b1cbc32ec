// SPDX-License-Identifier: MIT
#include "nodes/crisp/error.hpp"

namespace weft::crisp {
namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "weft.crisp"; }
  std::string message(int value) const override {
    switch (static_cast<error>(value)) {
      case error::invalid_argument: return "invalid tool argument";
      case error::invalid_data: return "Crisp rejected the request data (invalid_data)";
      case error::unauthorized: return "Crisp credentials rejected (unauthorized)";
      case error::not_allowed: return "Crisp token not allowed on this route (not_allowed)";
      case error::subscription_upgrade_required: return "Crisp plan lacks this feature";
      case error::not_found: return "Crisp route or resource not found";
      case error::not_subscribed: return "Crisp plugin not subscribed on this website";
      case error::quota_limit_exceeded: return "Crisp daily quota exceeded";
      case error::rate_limited: return "Crisp rate limit";
      case error::server_error: return "Crisp server error";
      case error::api_error: return "Crisp API error";
      case error::bad_response: return "malformed Crisp response";
      case error::transport: return "Crisp request failed (transport)";
      case error::in_doubt: return "Crisp write in doubt";
      case error::invalid_catalog: return "invalid Crisp tool catalog";
      case error::missing_config: return "missing Crisp configuration";
    }
    return "unknown Crisp error";
  }
};

}  // namespace

const std::error_category& error_category() noexcept {
  static const Category category;
  return category;
}

error error_for(int http_status, const std::string& reason) noexcept {
  // The reason string is more specific than the status (two different 404s), so it wins.
  if (reason == "invalid_data") return error::invalid_data;
  if (reason == "not_subscribed") return error::not_subscribed;
  if (reason == "not_found") return error::not_found;
  if (reason == "quota_limit_exceeded") return error::quota_limit_exceeded;
  if (reason == "unauthorized") return error::unauthorized;
  if (reason == "not_allowed") return error::not_allowed;
  if (reason == "subscription_upgrade_required") return error::subscription_upgrade_required;
  switch (http_status) {
    case 400: return error::invalid_data;
    case 401: return error::unauthorized;
    case 402: return error::subscription_upgrade_required;
    case 403: return error::not_allowed;
    case 404: return error::not_found;
    case 420:
    case 429: return error::rate_limited;
    case 423: return error::quota_limit_exceeded;
    default: break;
  }
  if (http_status >= 500) return error::server_error;
  return error::api_error;
}

}  // namespace weft::crisp
