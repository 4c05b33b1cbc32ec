#include "nodes/http/detail/host_state.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace weft::http::detail {

namespace chr = std::chrono;

namespace {
double capacity_of(const HostLimits& limits) { return std::max(1.0, limits.burst); }
}  // namespace

HostState::HostState(std::string host, HostLimits limits, chr::steady_clock::time_point now)
    : host_(std::move(host)),
      semaphore_(std::make_shared<Semaphore>(limits.max_concurrency)),
      limits_(limits),
      tokens_(capacity_of(limits)),
      refilled_at_(now) {}

HostLimits HostState::limits() const {
  std::lock_guard lock(mutex_);
  return limits_;
}

void HostState::set_limits(HostLimits limits) {
  {
    std::lock_guard lock(mutex_);
    limits_ = limits;
    tokens_ = std::min(tokens_, capacity_of(limits));
  }
  semaphore_->set_capacity(limits.max_concurrency);
}

void HostState::refill_locked(chr::steady_clock::time_point now) {
  if (now <= refilled_at_) return;
  if (limits_.rate > 0) {
    const double elapsed = chr::duration<double>(now - refilled_at_).count();
    tokens_ = std::min(capacity_of(limits_), tokens_ + elapsed * limits_.rate);
  }
  refilled_at_ = now;
}

Admission HostState::admit(chr::steady_clock::time_point now) {
  std::lock_guard lock(mutex_);
  Admission admission;
  if (blocked_until_ > now) {
    admission.wait = blocked_until_ - now;
    admission.kind = RateLimitEvent::Kind::server_window;
    admission.reason = block_reason_;
    return admission;
  }
  if (limits_.rate <= 0) return admission;
  refill_locked(now);
  tokens_ -= 1.0;
  if (tokens_ >= 0) return admission;
  admission.wait = chr::duration_cast<chr::nanoseconds>(chr::duration<double>(-tokens_ / limits_.rate));
  admission.kind = RateLimitEvent::Kind::token_bucket;
  char rate[64];
  std::snprintf(rate, sizeof rate, "%g requests/s, burst %g", limits_.rate, capacity_of(limits_));
  admission.reason = std::string("the local token bucket is empty (") + rate + ")";
  return admission;
}

void HostState::learn(const RateLimitInfo& info, chr::steady_clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (!limits_.learn_from_headers || !info.remaining) return;
  if (*info.remaining == 0 && info.reset && info.reset->count() > 0) {
    const auto until = now + chr::duration_cast<chr::steady_clock::duration>(*info.reset);
    if (until > blocked_until_) {
      blocked_until_ = until;
      block_reason_ = "the server reported no remaining quota (" + info.wait_source + ")";
    }
  } else if (limits_.rate > 0) {
    refill_locked(now);
    tokens_ = std::min(tokens_, static_cast<double>(*info.remaining));
  }
}

void HostState::block_for(chr::nanoseconds wait, chr::steady_clock::time_point now, std::string reason) {
  std::lock_guard lock(mutex_);
  const auto until = now + chr::duration_cast<chr::steady_clock::duration>(wait);
  if (until > blocked_until_) {
    blocked_until_ = until;
    block_reason_ = std::move(reason);
  }
}

std::shared_ptr<Connection> HostState::take_idle(chr::steady_clock::time_point now, chr::nanoseconds max_idle) {
  std::lock_guard lock(mutex_);
  while (!idle_.empty()) {
    Idle last = std::move(idle_.back());
    idle_.pop_back();
    if (now - last.since <= max_idle) return std::move(last.connection);
  }
  return nullptr;
}

void HostState::put_idle(std::shared_ptr<Connection> connection, std::size_t max_idle_count) {
  std::lock_guard lock(mutex_);
  if (idle_.size() >= max_idle_count) return;
  idle_.push_back(Idle{std::move(connection), chr::steady_clock::now()});
}

std::vector<std::shared_ptr<Connection>> HostState::drain_idle() {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<Connection>> out;
  for (auto& i : idle_) out.push_back(std::move(i.connection));
  idle_.clear();
  return out;
}

}  // namespace weft::http::detail
