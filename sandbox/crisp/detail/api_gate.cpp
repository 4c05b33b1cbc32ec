// SPDX-License-Identifier: MIT
// The gate every /v1 request of the Crisp sandbox passes before its handler: injected faults,
// Basic auth and tier, website subscription, rate limit and quota; then the handler's Reply or
// ApiError becomes the envelope, successful writes land in the effect log, and the request counts.
#include "sandbox/crisp/detail/api.hpp"

#include <algorithm>
#include <optional>

#include <boost/json/parse.hpp>

#include "sandbox/crisp/detail/ids.hpp"
#include "sandbox/http/base64.hpp"
#include "sandbox/http/url.hpp"

namespace weft::sandbox::crisp::detail {
namespace json = boost::json;

namespace {

std::string default_reason(std::string_view method) {
  if (method == "GET" || method == "HEAD") return "resolved";
  if (method == "POST") return "added";
  if (method == "DELETE") return "deleted";
  return "updated";
}

std::string server_error_reason(int status) {
  switch (status) {
    case 500: return "internal_error";
    case 502: return "bad_gateway";
    case 503: return "service_unavailable";
    case 504: return "gateway_timeout";
    default: return "server_error";
  }
}

bool is_write(std::string_view method) { return method != "GET" && method != "HEAD"; }
// A POST that changes nothing (analytics/generate): kept out of the effect log.
bool reads_only(std::string_view path) { return path.ends_with("/analytics/generate"); }

}  // namespace

void Api::count(const std::string& route_key, int status) {
  ++total_;
  ++by_route_[route_key];
  ++by_status_[status];
}

std::optional<http::Response> Api::inject_fault(std::int64_t& latency_ms) {
  latency_ms = faults_.latency_ms;
  auto draw = [this](double rate) {
    return rate > 0.0 && static_cast<double>(fault_rng_.next() >> 11) * (1.0 / 9007199254740992.0) < rate;
  };
  if (faults_.drop_next > 0 || draw(faults_.drop_rate)) {
    if (faults_.drop_next > 0) --faults_.drop_next;
    http::Response res;
    res.drop = true;
    return res;
  }
  if (faults_.error_next > 0 || draw(faults_.error_rate)) {
    if (faults_.error_next > 0) --faults_.error_next;
    return error_response(faults_.error_status, server_error_reason(faults_.error_status), "injected fault");
  }
  if (faults_.storm_429 > 0) {
    --faults_.storm_429;
    auto res = error_response(429, "rate_limited", "injected 429 storm");
    const auto s = std::to_string(faults_.storm_retry_after);
    res.add_header("Retry-After", s);
    res.add_header("RateLimit-Limit", "0");
    res.add_header("RateLimit-Remaining", "0");
    res.add_header("RateLimit-Reset", s);
    return res;
  }
  return std::nullopt;
}

http::Response Api::gate(http::Request& req, const std::string& route_key, Family family, const RouteHandler& handler) {
  const std::lock_guard lock(mutex_);
  const std::int64_t now = now_ms();
  std::int64_t latency_ms = 0;
  auto finish = [&](http::Response res) {
    count(route_key, res.drop ? 0 : res.status);
    res.delay = std::chrono::milliseconds(latency_ms);
    return res;
  };
  if (is_write(req.method)) {
    ++writes_;
  } else {
    ++reads_;
  }
  if (auto fault = inject_fault(latency_ms)) return finish(std::move(*fault));
  // A write holds the state file's lock from before it reads the world until the file has it.
  std::optional<StateFileLock> file_lock;
  if (!options_.state_file.empty() && is_write(req.method)) file_lock.emplace(options_.state_file);
  refresh_locked();

  // Authentication: HTTP Basic identifier:key, and the tier header (absent = "user", as the
  // official Node and Go clients default).
  const Token token = effective_token();
  bool authenticated = false;
  if (auto auth = req.header("authorization");
      auth && auth->size() > 6 && http::iequals(auth->substr(0, 6), "Basic ")) {
    if (auto decoded = http::base64_decode(auth->substr(6))) {
      const auto colon = decoded->find(':');
      authenticated = colon != std::string::npos && decoded->substr(0, colon) == token.identifier &&
                      decoded->substr(colon + 1) == token.key;
    }
  }
  if (!authenticated) return finish(error_response(401, "unauthorized", "missing or wrong Basic credentials"));
  const std::string tier(req.header("x-crisp-tier").value_or("user"));
  if (tier != token.tier) {
    return finish(error_response(401, "unauthorized",
                                 "this token is a " + token.tier + " token; send X-Crisp-Tier: " + token.tier));
  }

  const std::string website_id(req.param("website_id"));
  if (!is_uuid(website_id))
    return finish(error_response(400, "invalid_data", "data.website_id should match format \"uuid\""));
  json::object* site = store_.website(website_id);
  const bool subscribed = std::find(token.websites.begin(), token.websites.end(), website_id) != token.websites.end();
  if (site == nullptr || !subscribed) return finish(error_response(404, "not_subscribed", ""));

  const LimitVerdict verdict = limiter_.charge(token.identifier, token.tier, now);
  auto add_rate_headers = [&](http::Response& res) {
    if (!verdict.bucket_enabled) return;
    res.add_header("RateLimit-Limit", std::to_string(verdict.limit));
    res.add_header("RateLimit-Remaining", std::to_string(verdict.remaining));
    res.add_header("RateLimit-Reset", std::to_string(verdict.reset_s));
    res.add_header("RateLimit-Policy", std::to_string(verdict.limit) + ";w=" + std::to_string(verdict.window_s));
  };
  if (verdict.kind == LimitVerdict::Kind::quota_exceeded) {
    auto res = error_response(423, "quota_limit_exceeded", "");
    res.add_header("Retry-After", std::to_string(verdict.retry_after_s));
    return finish(std::move(res));
  }
  if (verdict.kind == LimitVerdict::Kind::rate_limited) {
    auto res = error_response(429, "rate_limited", "");
    res.add_header("Retry-After", std::to_string(verdict.retry_after_s));
    add_rate_headers(res);
    return finish(std::move(res));
  }

  http::Response res;
  try {
    if (family != Family::general && faults_.helpdesk_402) {
      throw ApiError{402, "subscription_upgrade_required", "the plan of this website has no knowledge base"};
    }
    const std::string mode(site->at("helpdesk_mode").as_string());
    if ((family == Family::helpdesk_legacy && mode == "tree") ||
        (family == Family::helpdesk_tree && mode == "legacy")) {
      throw_no_route();
    }
    Ctx ctx{req, store_, *site, website_id, now};
    Reply reply = handler(ctx);
    if (reply.reason.empty()) reply.reason = default_reason(req.method);
    res =
        http::Response::json(reply.status, reply.raw_data.empty() ? envelope(false, reply.reason, reply.data)
                                                                  : envelope_raw(false, reply.reason, reply.raw_data));
    if (is_write(req.method) && !reads_only(req.path)) {
      json::object effect;
      effect["method"] = req.method;
      effect["path"] = req.path;
      const auto q = req.target.find('?');
      effect["query"] = q == std::string::npos ? std::string() : req.target.substr(q + 1);
      json::error_code ec;
      json::value parsed = req.body.empty() ? json::value() : json::parse(req.body, ec);
      if (ec) {
        effect["body"] = req.body;
      } else {
        effect["body"] = std::move(parsed);
      }
      effect["time"] = now;
      effect["website_id"] = website_id;
      const std::string session = !reply.session_id.empty() ? reply.session_id : std::string(req.param("session_id"));
      effect["session_id"] = session.empty() ? json::value() : json::value(session);
      effect["fingerprint"] = reply.fingerprint ? json::value(*reply.fingerprint) : json::value();
      effect["status"] = reply.status;
      effect["replayed"] = reply.replayed;
      store_.append_effect(std::move(effect));
      if (file_lock) save_locked();
      if (hooks_)
        for (auto& [event, data] : ctx.hook_events) hooks_->deliver(website_id, event, std::move(data));
    }
  } catch (const ApiError& e) {
    res = error_response(e.status, e.reason, e.message);
  }
  add_rate_headers(res);
  return finish(std::move(res));
}

}  // namespace weft::sandbox::crisp::detail
