// SPDX-License-Identifier: MIT
#include "nodes/http/detail/host_state.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>

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
      refilled_at_(now),
      concurrency_(limits.max_concurrency) {}

HostLimits HostState::limits() const {
  std::lock_guard lock(mutex_);
  return limits_;
}

void HostState::set_limits(HostLimits limits) {
  {
    std::lock_guard lock(mutex_);
    limits_ = limits;
    advertised_rate_ = 0;
    learned_rate_ = 0;
    learned_burst_ = 0;
    concurrency_ = limits.max_concurrency;
    answers_since_change_ = 0;
    tokens_ = std::min(tokens_, capacity_of(limits));
  }
  semaphore_->set_capacity(limits.max_concurrency);
}

double HostState::rate_locked() const {
  const double base = advertised_rate_ > 0 ? advertised_rate_ : limits_.rate;
  if (learned_rate_ <= 0) return base;
  return base > 0 ? std::min(base, learned_rate_) : learned_rate_;
}

double HostState::capacity_locked() const {
  const double configured = capacity_of(limits_);
  return learned_burst_ > 0 ? std::max(1.0, std::min(configured, learned_burst_)) : configured;
}

double HostState::effective_rate() const {
  std::lock_guard lock(mutex_);
  return rate_locked();
}

std::size_t HostState::effective_concurrency() const {
  std::lock_guard lock(mutex_);
  return concurrency_;
}

void HostState::refill_locked(chr::steady_clock::time_point now) {
  if (now <= refilled_at_) return;
  if (const double rate = rate_locked(); rate > 0) {
    const double elapsed = chr::duration<double>(now - refilled_at_).count();
    tokens_ = std::min(capacity_locked(), tokens_ + elapsed * rate);
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
  const double pace = rate_locked();
  if (pace <= 0) return admission;
  refill_locked(now);
  tokens_ -= 1.0;
  if (tokens_ >= 0) return admission;
  admission.wait = chr::duration_cast<chr::nanoseconds>(chr::duration<double>(-tokens_ / pace));
  admission.kind = RateLimitEvent::Kind::token_bucket;
  char rate[64];
  std::snprintf(rate, sizeof rate, "%g requests/s, burst %g", pace, capacity_locked());
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
  } else if (rate_locked() > 0) {
    refill_locked(now);
    tokens_ = std::min(tokens_, static_cast<double>(*info.remaining));
  }
}

void HostState::follow_policy(const RateLimitInfo& info, chr::steady_clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (!limits_.learn_from_headers || limits_.rate <= 0 || !info.limit || *info.limit <= 0 || !info.window ||
      info.window->count() <= 0) {
    return;
  }
  const double factor = std::max(1.0, limits_.max_rate_factor);
  const double advertised = static_cast<double>(*info.limit) / chr::duration<double>(*info.window).count();
  refill_locked(now);  // the tokens earned so far were earned at the old pace
  advertised_rate_ = std::clamp(advertised, limits_.rate / factor, limits_.rate * factor);
}

void HostState::block_for(chr::nanoseconds wait, chr::steady_clock::time_point now, std::string reason) {
  std::lock_guard lock(mutex_);
  const auto until = now + chr::duration_cast<chr::steady_clock::duration>(wait);
  if (until > blocked_until_) {
    blocked_until_ = until;
    block_reason_ = std::move(reason);
  }
}

std::string HostState::on_rate_limited(const RateLimitInfo& info, chr::steady_clock::time_point now) {
  std::string changed;
  std::size_t cap = 0;
  {
    std::lock_guard lock(mutex_);
    // Quota / window. An exhausted window's reset is at most the window, so quota / reset never
    // underestimates the server's pace: a rate learned too high costs one more 429, too low would
    // slow every later request.
    std::optional<double> window_s;
    if (info.window && info.window->count() > 0) {
      window_s = chr::duration<double>(*info.window).count();
    } else if (info.remaining && *info.remaining == 0 && info.reset && info.reset->count() > 0) {
      window_s = chr::duration<double>(*info.reset).count();
    }
    const double before = rate_locked();
    refill_locked(now);
    // The server refused us above the configured pace: what it advertised was wrong (or is shared
    // with other clients), so the raise is undone and not tried again.
    if (limits_.rate > 0 && before > limits_.rate) {
      learned_rate_ = learned_rate_ > 0 ? std::min(learned_rate_, limits_.rate) : limits_.rate;
    }
    if (limits_.learn_from_headers && info.limit && *info.limit > 0 && window_s) {
      const double rate = static_cast<double>(*info.limit) / *window_s;
      if (learned_rate_ <= 0 || rate < learned_rate_) learned_rate_ = rate;
      if (learned_burst_ <= 0 || static_cast<double>(*info.limit) < learned_burst_) {
        learned_burst_ = static_cast<double>(*info.limit);
      }
      tokens_ = std::min(tokens_, capacity_locked());
    }
    if (rate_locked() != before) {
      char text[96];
      std::snprintf(text, sizeof text, "pace lowered to %g requests/s (burst %g)", rate_locked(), capacity_locked());
      changed = text;
    }
    // Halve what may be in flight (from 16 when unlimited), not below 2; on_answer() gives it back.
    const std::size_t from = concurrency_ == 0 ? 16 : concurrency_;
    const std::size_t halved = std::max<std::size_t>(2, from / 2);
    if (concurrency_ == 0 || halved < concurrency_) {
      concurrency_ = halved;
      cap = halved;
      changed += std::string(changed.empty() ? "" : ", ") + "at most " + std::to_string(halved) + " in flight";
    }
    answers_since_change_ = 0;
  }
  if (cap != 0) semaphore_->set_capacity(cap);
  return changed;
}

void HostState::on_answer() {
  std::size_t cap = 0;
  {
    std::lock_guard lock(mutex_);
    const std::size_t configured = limits_.max_concurrency;
    if (concurrency_ == configured) return;
    if (++answers_since_change_ < concurrency_) return;
    answers_since_change_ = 0;
    concurrency_ = configured != 0 && concurrency_ + 1 >= configured ? configured : concurrency_ + 1;
    if (configured == 0 && concurrency_ >= 16) concurrency_ = 0;
    cap = concurrency_;
  }
  semaphore_->set_capacity(cap);
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
