// SPDX-License-Identifier: MIT
#pragma once
// State shared by the server and its connections (private to sandbox/http).

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <vector>

#include "sandbox/http/fault_plan.hpp"
#include "sandbox/http/router.hpp"
#include "sandbox/http/server.hpp"

namespace weft::sandbox::http::detail {

class Session;

// What the fault plan decided for one request.
struct FaultDecision {
  bool drop = false;                     // close without answering
  std::optional<Response> answer;        // answer with this instead of routing
  std::chrono::milliseconds latency{0};  // delay before answering
};

// Router, options, fault plan and the registry of live connections. Owned through shared_ptr by
// the server and by every connection, so a connection outliving stop() stays valid.
struct ServerCore {
  ServerCore(Router r, ServerOptions o) : router(std::move(r)), options(std::move(o)), rng(1) {}

  Router router;
  ServerOptions options;
  std::atomic<std::uint64_t> served{0};
  std::atomic<bool> stopping{false};

  void set_plan(FaultPlan plan);
  FaultPlan plan() const;
  // Draws the fault decision for the next request (thread-safe).
  FaultDecision draw();

  // Remembers a live connection so stop() can close it (thread-safe).
  void track(const std::shared_ptr<Session>& session);
  // Every live connection (thread-safe); expired entries are pruned.
  std::vector<std::shared_ptr<Session>> live_sessions();

 private:
  mutable std::mutex plan_mutex_;
  FaultPlan plan_;
  std::mt19937_64 rng;
  std::mutex sessions_mutex_;
  std::vector<std::weak_ptr<Session>> sessions_;
};

}  // namespace weft::sandbox::http::detail
