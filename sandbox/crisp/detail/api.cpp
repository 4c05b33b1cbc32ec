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

http::Response error_response(int status, std::string_view reason, std::string_view message) {
  json::object data;
  if (!message.empty()) data["message"] = message;
  return http::Response::json(status, envelope(true, reason, data));
}

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
