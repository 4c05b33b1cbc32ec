// SPDX-License-Identifier: MIT
#include "sandbox/http/detail/server_core.hpp"

#include <algorithm>

namespace weft::sandbox::http::detail {

void ServerCore::set_plan(FaultPlan plan) {
  const std::lock_guard lock(plan_mutex_);
  rng.seed(plan.seed);
  plan_ = std::move(plan);
}

FaultPlan ServerCore::plan() const {
  const std::lock_guard lock(plan_mutex_);
  return plan_;
}

FaultDecision ServerCore::draw() {
  const std::lock_guard lock(plan_mutex_);
  FaultDecision d;
  d.latency = plan_.latency;
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  if (plan_.drop_rate > 0.0 && unit(rng) < plan_.drop_rate) {
    d.drop = true;
    return d;
  }
  if (plan_.forced_status) {
    d.answer = Response::text(*plan_.forced_status, plan_.forced_body);
  } else if (plan_.error_rate > 0.0 && unit(rng) < plan_.error_rate) {
    d.answer = Response::text(plan_.error_status, "injected fault");
  }
  return d;
}

void ServerCore::track(const std::shared_ptr<Session>& session) {
  const std::lock_guard lock(sessions_mutex_);
  if (sessions_.size() >= 64) {
    std::erase_if(sessions_, [](const std::weak_ptr<Session>& w) { return w.expired(); });
  }
  sessions_.push_back(session);
}

std::vector<std::shared_ptr<Session>> ServerCore::live_sessions() {
  const std::lock_guard lock(sessions_mutex_);
  std::vector<std::shared_ptr<Session>> out;
  for (const auto& w : sessions_) {
    if (auto s = w.lock()) out.push_back(std::move(s));
  }
  std::erase_if(sessions_, [](const std::weak_ptr<Session>& w) { return w.expired(); });
  return out;
}

}  // namespace weft::sandbox::http::detail
