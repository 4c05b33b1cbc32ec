// SPDX-License-Identifier: MIT
#include "nodes/http/error.hpp"

#include <string>

namespace weft::http {
namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "weft.http"; }
  std::string message(int value) const override {
    switch (static_cast<error>(value)) {
      case error::invalid_url: return "invalid URL";
      case error::connect_failed: return "could not connect";
      case error::timeout: return "timed out";
      case error::connection_dropped: return "connection dropped";
      case error::tls_failed: return "TLS failure";
      case error::rate_limited: return "rate limited";
      case error::server_error: return "server error";
      case error::bad_response: return "malformed HTTP response";
      case error::cancelled: return "request cancelled";
    }
    return "unknown HTTP error";
  }
};

}  // namespace

const std::error_category& error_category() noexcept {
  static const Category category;
  return category;
}

}  // namespace weft::http
