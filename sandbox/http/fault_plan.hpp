// SPDX-License-Identifier: MIT
#pragma once
// Server-wide fault injection of the loopback server, applied before routing.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace weft::sandbox::http {

// Faults the server applies to every request before the router sees it. All default to "off".
// Handlers can also misbehave per request through Response::delay / drop / drop_after_chunks
// (message.hpp); this plan is for callers that want blanket faults without writing handlers.
struct FaultPlan {
  std::chrono::milliseconds latency{0};  // added before every response; default 0
  std::optional<int> forced_status;      // when set, every request is answered with it; default unset
  std::string forced_body;               // body of forced answers; default "" (text/plain)
  double error_rate = 0.0;               // fraction [0,1] of requests answered error_status; default 0
  int error_status = 503;                // status used by error_rate; default 503
  double drop_rate = 0.0;                // fraction [0,1] of requests whose connection is closed unanswered; default 0
  std::uint64_t seed = 1;                // seeds the draws of error_rate and drop_rate; default 1
};

}  // namespace weft::sandbox::http
