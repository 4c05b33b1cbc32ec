// SPDX-License-Identifier: MIT
#include "sandbox/crisp/detail/api.hpp"

#include <algorithm>
#include <optional>
#include <stdexcept>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "sandbox/crisp/detail/ids.hpp"
#include "sandbox/http/base64.hpp"
#include "sandbox/http/url.hpp"

namespace weft::sandbox::crisp::detail {
namespace json = boost::json;

// route_analytics.cpp; declared here rather than in api.hpp, which every route includes.
void add_analytics_routes(Api& api);

std::string envelope(bool error, std::string_view reason, const json::value& data) {
  return envelope_raw(error, reason, json::serialize(data));
}

std::string envelope_raw(bool error, std::string_view reason, std::string_view data_json) {
  std::string out = error ? R"({"error":true,"reason":")" : R"({"error":false,"reason":")";
  out.reserve(out.size() + reason.size() + data_json.size() + 12);
  out += reason;
  out += R"(","data":)";
  out += data_json;
  out += '}';
  return out;
}

namespace {

http::Response error_response(int status, std::string_view reason, std::string_view message) {
  json::object data;
  if (!message.empty()) data["message"] = message;
  return http::Response::json(status, envelope(true, reason, data));
}

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

Api::Api(SandboxOptions options) : options_(std::move(options)) {
  if (options_.helpdesk_mode != "legacy" && options_.helpdesk_mode != "tree" && options_.helpdesk_mode != "both") {
    throw std::invalid_argument("crisp sandbox: helpdesk mode must be legacy, tree or both, not '" +
                                options_.helpdesk_mode + "'");
  }
  faults_ = options_.faults;
  fault_rng_ = Prng(faults_.seed);
  limiter_.configure(options_.limits);
}

void Api::init() {
  const std::lock_guard lock(mutex_);
  if (!options_.hook_url.empty() && !hooks_)
    hooks_ = std::make_unique<HookSender>(options_.hook_url, options_.hook_secret);
  if (options_.state_file.empty()) {
    store_.reset(options_.seed, options_.helpdesk_mode);
    return;
  }
  // Under the file lock: two processes starting on a missing file seed it once, not twice.
  const StateFileLock file_lock(options_.state_file);
  const FileVersion before = current_version(options_.state_file);
  if (store_.load(options_.state_file)) {
    synced_ = before;
  } else {
    store_.reset(options_.seed, options_.helpdesk_mode);
    save_locked();
  }
}

void Api::refresh_locked() const {
  if (options_.state_file.empty()) return;
  const FileVersion now = current_version(options_.state_file);
  if (now == synced_ || now.size < 0) return;  // unchanged, or deleted: keep serving the memory copy
  // Another process replaced the file. Reading it after the stat sees that version or a newer
  // one; a newer one only costs one more reload next time.
  store_.load(options_.state_file);
  synced_ = now;
}

void Api::save_locked() {
  try {
    store_.save(options_.state_file);
  } catch (...) {
    // The change is not durable: forget the memory copy so the next request reloads the file.
    FileVersion stale;
    stale.size = -2;  // matches no file
    synced_ = stale;
    throw;
  }
  synced_ = current_version(options_.state_file);
}

Token Api::effective_token() const {
  if (options_.token) return *options_.token;
  Token t;
  const auto& tok = store_.token();
  t.identifier = std::string(tok.at("identifier").as_string());
  t.key = std::string(tok.at("key").as_string());
  t.tier = "plugin";
  t.websites = {store_.main_website_id()};
  return t;
}

Token Api::token() const {
  const std::lock_guard lock(mutex_);
  return effective_token();
}

std::string Api::main_website_id() const {
  const std::lock_guard lock(mutex_);
  return store_.main_website_id();
}

std::string Api::other_website_id() const {
  const std::lock_guard lock(mutex_);
  return store_.other_website_id();
}

void Api::add(std::string method, std::string suffix, Family family, RouteHandler handler) {
  const std::string pattern = "/v1/website/{website_id}" + suffix;
  std::string key = method + " " + pattern;
  router_.add(std::move(method), pattern,
              [this, key = std::move(key), family, handler = std::move(handler)](http::Request& req) {
                return gate(req, key, family, handler);
              });
}

void Api::add_raw(std::string method, std::string path, http::Handler handler) {
  router_.add(std::move(method), path, std::move(handler));
}

http::Router Api::build_router() {
  router_ = http::Router{};
  add_website_routes(*this);
  add_conversation_routes(*this);
  add_conversation_property_routes(*this);
  add_message_routes(*this);
  add_spam_routes(*this);
  add_inbox_routes(*this);
  add_operator_routes(*this);
  add_visitor_routes(*this);
  add_analytics_routes(*this);
  add_people_routes(*this);
  add_helpdesk_routes(*this);
  add_helpdesk_legacy_routes(*this);
  add_helpdesk_tree_routes(*this);
  add_campaign_routes(*this);
  add_admin_routes(*this);
  router_.set_fallback([this](http::Request&) {
    {
      const std::lock_guard lock(mutex_);
      count("(unknown route)", 404);
    }
    return error_response(404, "not_found", "the route does not exist");
  });
  return router_;
}

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

void Api::set_faults(const Faults& faults) {
  const std::lock_guard lock(mutex_);
  faults_ = faults;
  fault_rng_ = Prng(faults.seed);
}

Faults Api::faults() const {
  const std::lock_guard lock(mutex_);
  return faults_;
}

void Api::set_limits(const Limits& limits) {
  const std::lock_guard lock(mutex_);
  limiter_.configure(limits);
}

Limits Api::limits() const {
  const std::lock_guard lock(mutex_);
  return limiter_.limits();
}

void Api::reset(std::optional<std::uint64_t> seed) {
  const std::lock_guard lock(mutex_);
  std::optional<StateFileLock> file_lock;
  if (!options_.state_file.empty()) file_lock.emplace(options_.state_file);
  store_.reset(seed.value_or(options_.seed), options_.helpdesk_mode);
  faults_ = options_.faults;
  fault_rng_ = Prng(faults_.seed);
  limiter_.configure(options_.limits);
  by_route_.clear();
  by_status_.clear();
  total_ = reads_ = writes_ = 0;
  if (file_lock) save_locked();
}

void Api::save_now() {
  const std::lock_guard lock(mutex_);
  if (options_.state_file.empty()) return;
  const StateFileLock file_lock(options_.state_file);
  if (current_version(options_.state_file).size < 0) save_locked();
}

std::string Api::effects_json(std::int64_t since) const {
  const std::lock_guard lock(mutex_);
  refresh_locked();
  json::array out;
  if (const auto* log = store_.root().if_contains("effects"); log != nullptr && log->is_array()) {
    for (const auto& e : log->get_array()) {
      if (e.at("index").to_number<std::int64_t>() >= since) out.push_back(e);
    }
  }
  json::object doc;
  doc["effects"] = std::move(out);
  return json::serialize(doc);
}

std::string Api::requests_json() const {
  const std::lock_guard lock(mutex_);
  json::object doc;
  doc["total"] = total_;
  doc["reads"] = reads_;
  doc["writes"] = writes_;
  json::object statuses;
  for (const auto& [status, n] : by_status_)
    statuses[status == 0 ? std::string("dropped") : std::to_string(status)] = n;
  doc["by_status"] = std::move(statuses);
  json::object routes;
  for (const auto& [route, n] : by_route_) routes[route] = n;
  doc["by_route"] = std::move(routes);
  return json::serialize(doc);
}

std::string Api::hooks_json() const {
  if (!hooks_) return R"({"url":null})";
  return json::serialize(hooks_->stats());
}

std::string Api::info_json() const {
  const std::lock_guard lock(mutex_);
  refresh_locked();
  const Token t = effective_token();
  json::object doc;
  doc["website_id"] = store_.main_website_id();
  doc["other_website_id"] = store_.other_website_id();
  doc["identifier"] = t.identifier;
  doc["key"] = t.key;
  doc["tier"] = t.tier;
  doc["seed"] = store_.root().at("seed");
  json::object modes;
  for (const auto& [id, site] : store_.root().at("websites").as_object()) modes[id] = site.at("helpdesk_mode");
  doc["helpdesk_modes"] = std::move(modes);
  doc["state_file"] = options_.state_file;
  return json::serialize(doc);
}

void Api::set_helpdesk_mode(const std::string& website_id, const std::string& mode) {
  if (mode != "legacy" && mode != "tree" && mode != "both") {
    throw ApiError{400, "invalid_data", "data.mode should be equal to one of the allowed values"};
  }
  const std::lock_guard lock(mutex_);
  std::optional<StateFileLock> file_lock;
  if (!options_.state_file.empty()) file_lock.emplace(options_.state_file);
  refresh_locked();
  auto* site = store_.website(website_id.empty() ? store_.main_website_id() : website_id);
  if (site == nullptr) throw ApiError{404, "not_found", "website not found"};
  (*site)["helpdesk_mode"] = mode;
  if (file_lock) save_locked();
}

}  // namespace weft::sandbox::crisp::detail
