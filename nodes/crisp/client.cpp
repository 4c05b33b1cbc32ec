// SPDX-License-Identifier: MIT
#include "nodes/crisp/client.hpp"

#include "nodes/crisp/detail/path_template.hpp"
#include "nodes/crisp/error.hpp"
#include "nodes/http/client.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <set>

namespace weft::crisp {
namespace json = boost::json;
using boost::asio::awaitable;

namespace {

constexpr std::size_t kMessageBatch = 40;

std::string query_value(const json::value& v) {
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_bool()) return v.as_bool() ? "1" : "0";
  if (v.is_int64()) return std::to_string(v.as_int64());
  if (v.is_uint64()) return std::to_string(v.as_uint64());
  return json::serialize(v);  // doubles, objects and arrays: JSON text (as the Node client does)
}

// "website/<id>/x" -> for messages; never the base URL (it may carry userinfo).
std::string what(const std::string& method, const std::string& path) { return "Crisp " + method + " " + path; }

}  // namespace

std::string encode_query(const json::object& query) {
  std::string out;
  for (const auto& [key, value] : query) {
    if (value.is_null()) continue;
    if (value.is_string() && value.as_string().empty()) continue;
    out += out.empty() ? "" : "&";
    out += detail::encode_query(key);
    out += '=';
    out += detail::encode_query(query_value(value));
  }
  return out;
}

http::HostLimits CrispClient::default_host_limits() {
  http::HostLimits limits;
  limits.rate = 10.0;
  limits.burst = 10.0;
  limits.max_concurrency = 8;
  return limits;
}

namespace {
http::ClientOptions crisp_http_options() {
  http::ClientOptions options;
  options.default_limits = CrispClient::default_host_limits();
  return options;
}
}  // namespace

CrispClient::CrispClient(boost::asio::any_io_executor executor, CrispConfig config)
    : CrispClient(std::make_shared<http::Client>(std::move(executor), crisp_http_options()), std::move(config)) {}

CrispClient::CrispClient(std::shared_ptr<http::Client> http, CrispConfig config)
    : http_(std::move(http)), config_(std::move(config)) {
  if (!config_.base_url.empty() && config_.base_url.back() != '/') config_.base_url += '/';
  // Registered once: every text the HTTP client or this class lets out passes the same redactor
  // (the key, identifier:key, their base64 and the Basic header value).
  http_->add_credentials(config_.identifier, config_.key);
}

CrispClient::~CrispClient() = default;

std::string CrispClient::website_path(const std::string& rest) const {
  return "website/" + detail::encode_segment(config_.website_id) + "/" + rest;
}

namespace {

http::Request build_request(const CrispConfig& config, const std::string& method, const std::string& path,
                            const json::object& query, const json::value& body, const RequestOptions& options) {
  http::Request req;
  req.method = method;
  req.url = config.base_url + path;
  if (const std::string q = encode_query(query); !q.empty()) req.url += "?" + q;
  req.headers.emplace_back("Authorization", config.authorization());
  req.headers.emplace_back("X-Crisp-Tier", std::string(to_string(config.tier)));
  req.headers.emplace_back("Accept", "application/json");
  if (!body.is_null()) {
    req.headers.emplace_back("Content-Type", "application/json");
    req.body = json::serialize(body);
  }
  req.max_attempts = options.max_attempts;
  req.before_send = options.before_send;
  return req;
}

// Re-codes an HTTP-layer failure as a Crisp error, so callers handle one error domain. The HTTP
// layer's messages are already redacted.
[[noreturn]] void rethrow_as_crisp(const std::exception_ptr& failure, const std::string& method,
                                   const std::string& path) {
  try {
    std::rethrow_exception(failure);
  } catch (const http::RequestError& e) {
    const auto code = static_cast<http::error>(e.code().value());
    if (code == http::error::cancelled) throw;
    if (code == http::error::rate_limited) {
      const error c = e.status() == 423 ? error::quota_limit_exceeded : error::rate_limited;
      throw ApiError(c, e.status(), e.status() == 423 ? "quota_limit_exceeded" : "rate_limited", "",
                     what(method, path) + ": " + e.what(), e.server_wait());
    }
    if (code == http::error::server_error)
      throw ApiError(error::server_error, e.status(), "server_error", "", what(method, path) + ": " + e.what(),
                     e.server_wait());
    throw Error(error::transport, what(method, path) + ": " + e.what());
  }
}

// The envelope of `res`: its data, or the typed error. The body is redacted before it is read, so
// neither an error message nor data handed to a tool (and on to a model) can carry a credential
// a hostile or buggy server echoed.
CrispResponse interpret(const http::Client& http, const http::Response& res, const std::string& method,
                        const std::string& path) {
  CrispResponse out;
  out.status = res.status;
  if (method == "HEAD") {
    if (res.status >= 400)
      throw ApiError(error_for(res.status, ""), res.status, "", "",
                     what(method, path) + ": HTTP " + std::to_string(res.status));
    return out;
  }
  boost::system::error_code ec;
  const std::string body = http.redact(res.body);
  json::value doc = json::parse(body, ec);
  const json::object* envelope = (!ec && doc.is_object()) ? &doc.as_object() : nullptr;
  const json::value* err = envelope ? envelope->if_contains("error") : nullptr;
  if (!envelope || !err || !err->is_bool()) {
    if (res.status >= 400)
      throw ApiError(error_for(res.status, ""), res.status, "http_error", "",
                     what(method, path) + ": HTTP " + std::to_string(res.status) + " without a Crisp envelope");
    throw Error(error::bad_response, what(method, path) + ": HTTP " + std::to_string(res.status) +
                                         ": the body is not Crisp's {error, reason, data} envelope");
  }
  const std::string reason = envelope->contains("reason") && envelope->at("reason").is_string()
                                 ? std::string(envelope->at("reason").as_string())
                                 : std::string();
  const json::value* data = envelope->if_contains("data");
  if (err->as_bool() || res.status >= 400) {
    std::string detail;
    if (data && data->is_object())
      if (const auto* m = data->as_object().if_contains("message"); m && m->is_string())
        detail = std::string(m->as_string());
    const error c = error_for(res.status, reason);
    std::string msg = what(method, path) + ": HTTP " + std::to_string(res.status) + " " + reason;
    if (!detail.empty()) msg += " (" + detail + ")";
    if (c == error::not_subscribed) msg += "; the token is not subscribed to this website (check CRISP_WEBSITE_ID)";
    if (c == error::unauthorized) msg += "; check CRISP_API_IDENTIFIER and CRISP_API_KEY";
    throw ApiError(c, res.status, reason, detail, msg);
  }
  out.data = data ? *data : json::value(json::object());
  return out;
}

}  // namespace

awaitable<CrispResponse> CrispClient::request(std::string method, std::string path, json::object query,
                                              json::value body, RequestOptions options) {
  http::Request req = build_request(config_, method, path, query, body, options);
  http::Response res;
  std::exception_ptr failure;
  try {
    res = co_await http_->request(std::move(req));
  } catch (...) {
    failure = std::current_exception();
  }
  if (failure) rethrow_as_crisp(failure, method, path);
  co_return interpret(*http_, res, method, path);
}

awaitable<json::value> CrispClient::get(std::string path, json::object query) {
  CrispResponse res = co_await request("GET", std::move(path), std::move(query));
  co_return std::move(res.data);
}

awaitable<bool> CrispClient::exists(std::string path) {
  bool found = true;
  try {
    CrispResponse res = co_await request("GET", std::move(path));
    (void)res;
  } catch (const ApiError& e) {
    if (e.code() != make_error_code(error::not_found)) throw;
    found = false;
  }
  co_return found;
}

awaitable<json::array> CrispClient::list_all_pages(std::string path_prefix, json::object query, std::size_t max_pages) {
  json::array all;
  for (std::size_t page = 1; page <= max_pages; ++page) {
    json::value data = co_await get(path_prefix + "/" + std::to_string(page), query);
    if (!data.is_array() || data.as_array().empty()) break;
    for (auto& item : data.as_array()) all.push_back(std::move(item));
  }
  co_return all;
}

awaitable<json::array> CrispClient::list_messages(std::string session_id,
                                                  std::optional<std::int64_t> timestamp_before) {
  json::object query;
  if (timestamp_before) query["timestamp_before"] = *timestamp_before;
  json::value data =
      co_await get(website_path("conversation/" + detail::encode_segment(session_id) + "/messages"), query);
  if (!data.is_array()) co_return json::array();
  co_return std::move(data.as_array());
}

awaitable<json::array> CrispClient::list_all_messages(std::string session_id, std::size_t max_batches) {
  // timestamp_before is strict, and several messages may share a millisecond: asking for
  // "before oldest + 1" re-reads the boundary millisecond, and fingerprints drop the repeats. A
  // batch that brings nothing new ends the walk.
  std::vector<json::array> batches;  // newest batch first
  std::set<std::string> seen;
  std::optional<std::int64_t> before;
  for (std::size_t i = 0; i < max_batches; ++i) {
    json::array batch = co_await list_messages(session_id, before);
    const std::size_t size = batch.size();
    std::optional<std::int64_t> oldest;
    json::array fresh;
    for (auto& m : batch) {
      if (!m.is_object()) continue;
      if (const auto* ts = m.as_object().if_contains("timestamp"); ts && ts->is_int64())
        if (!oldest || ts->as_int64() < *oldest) oldest = ts->as_int64();
      const json::value* fp = m.as_object().if_contains("fingerprint");
      const std::string id = fp ? json::serialize(*fp) : json::serialize(m);
      if (seen.insert(id).second) fresh.push_back(std::move(m));
    }
    const bool progressed = !fresh.empty();
    batches.push_back(std::move(fresh));
    // A full batch may have older messages before it (Crisp's export plugin does the same).
    if (size < kMessageBatch || !oldest || !progressed) break;
    before = *oldest + 1;
  }
  json::array all;
  for (auto it = batches.rbegin(); it != batches.rend(); ++it)
    for (auto& m : *it) all.push_back(std::move(m));
  co_return all;
}

}  // namespace weft::crisp
