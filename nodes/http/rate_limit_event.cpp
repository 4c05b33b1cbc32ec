// SPDX-License-Identifier: MIT
#include "nodes/http/rate_limit_event.hpp"

namespace weft::http {

const char* to_string(RateLimitEvent::Kind kind) noexcept {
  switch (kind) {
    case RateLimitEvent::Kind::token_bucket: return "token_bucket";
    case RateLimitEvent::Kind::server_window: return "server_window";
    case RateLimitEvent::Kind::concurrency: return "concurrency";
    case RateLimitEvent::Kind::retry: return "retry";
    case RateLimitEvent::Kind::give_up: return "give_up";
  }
  return "unknown";
}

std::string RateLimitEvent::to_string() const {
  std::string line = "http: ";
  if (kind == Kind::give_up) {
    line += "giving up on " + host + " because " + reason;
  } else if (kind == Kind::concurrency) {
    line += "queued for " + host + " because " + reason;
  } else {
    line += "waiting " + std::to_string(wait.count()) + " ms for " + host + " because " + reason;
  }
  if (attempt > 0) line += " (attempt " + std::to_string(attempt) + " of " + std::to_string(max_attempts) + ")";
  return line;
}

}  // namespace weft::http
