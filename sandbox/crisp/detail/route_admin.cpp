// SPDX-License-Identifier: MIT
// Inspection and control endpoints outside /v1 (no auth; loopback test tool):
//   GET  /_sandbox/info       website ids, credentials, seed, helpdesk modes
//   GET  /_sandbox/effects    every write performed (?since=<index>)
//   GET  /_sandbox/requests   request counts (total, reads, writes, by status, by route)
//   GET  /_sandbox/faults     POST /_sandbox/faults   (replaces the fault config; JSON of Faults)
//   GET  /_sandbox/limits     POST /_sandbox/limits   (replaces limits; resets buckets and quotas)
//   POST /_sandbox/reset      re-seed ({"seed":N} optional), clear effects, counters, faults, limits
//   GET  /_sandbox/hooks      web hook deliveries (url, delivered, failed, pending, attempts, last_error)
//   POST /_sandbox/helpdesk_mode {"mode":"legacy|tree|both","website_id"?}

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "sandbox/crisp/detail/api.hpp"
#include "sandbox/crisp/detail/ids.hpp"

namespace weft::sandbox::crisp::detail {
namespace json = boost::json;

namespace {

http::Response ok_json(std::string body) { return http::Response::json(200, std::move(body)); }

http::Response bad(std::string message) {
  json::object data;
  data["message"] = message;
  return http::Response::json(400, envelope(true, "invalid_data", data));
}

json::object parse_object(const std::string& body) {
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) return {};
  json::error_code ec;
  auto v = json::parse(body, ec);
  if (ec || !v.is_object()) throw ApiError{400, "invalid_data", "data should be object"};
  return std::move(v.as_object());
}

json::object faults_json(const Faults& f) {
  json::object o;
  o["latency_ms"] = f.latency_ms;
  o["error_rate"] = f.error_rate;
  o["error_status"] = f.error_status;
  o["error_next"] = f.error_next;
  o["drop_rate"] = f.drop_rate;
  o["drop_next"] = f.drop_next;
  o["storm_429"] = f.storm_429;
  o["storm_retry_after"] = f.storm_retry_after;
  o["helpdesk_402"] = f.helpdesk_402;
  o["seed"] = f.seed;
  return o;
}

Faults faults_from(const json::object& o) {
  static const Schema schema(R"({"type":"object","additionalProperties":false,"properties":{
    "latency_ms":{"type":"integer","minimum":0},"error_rate":{"type":"number","minimum":0,"maximum":1},
    "error_status":{"type":"integer","minimum":500,"maximum":599},"error_next":{"type":"integer","minimum":0},
    "drop_rate":{"type":"number","minimum":0,"maximum":1},"drop_next":{"type":"integer","minimum":0},
    "storm_429":{"type":"integer","minimum":0},"storm_retry_after":{"type":"integer","minimum":0},
    "helpdesk_402":{"type":"boolean"},"seed":{"type":"integer","minimum":0}}})");
  const auto msg = schema.message(o);
  if (!msg.empty()) throw ApiError{400, "invalid_data", msg};
  Faults f;
  auto num = [&](const char* k, auto& field) {
    if (const auto* v = o.if_contains(k)) field = v->to_number<std::remove_reference_t<decltype(field)>>();
  };
  num("latency_ms", f.latency_ms);
  num("error_rate", f.error_rate);
  num("error_status", f.error_status);
  num("error_next", f.error_next);
  num("drop_rate", f.drop_rate);
  num("drop_next", f.drop_next);
  num("storm_429", f.storm_429);
  num("storm_retry_after", f.storm_retry_after);
  num("seed", f.seed);
  if (const auto* v = o.if_contains("helpdesk_402")) f.helpdesk_402 = v->as_bool();
  return f;
}

json::object limits_json(const Limits& l) {
  json::object o;
  o["rate_per_second"] = l.rate_per_second;
  o["burst"] = l.burst;
  o["quota_plugin"] = l.quota_plugin;
  o["quota_website"] = l.quota_website;
  o["quota_user"] = l.quota_user;
  return o;
}

Limits limits_from(const json::object& o, Limits l) {
  static const Schema schema(R"({"type":"object","additionalProperties":false,"properties":{
    "rate_per_second":{"type":"number","minimum":0},"burst":{"type":"number","minimum":0},
    "quota_plugin":{"type":"integer","minimum":0},"quota_website":{"type":"integer","minimum":0},"quota_user":{"type":"integer","minimum":0}}})");
  const auto msg = schema.message(o);
  if (!msg.empty()) throw ApiError{400, "invalid_data", msg};
  auto num = [&](const char* k, auto& field) {
    if (const auto* v = o.if_contains(k)) field = v->to_number<std::remove_reference_t<decltype(field)>>();
  };
  num("rate_per_second", l.rate_per_second);
  num("burst", l.burst);
  num("quota_plugin", l.quota_plugin);
  num("quota_website", l.quota_website);
  num("quota_user", l.quota_user);
  return l;
}

// Runs `f`, mapping ApiError to its envelope.
template <class F>
http::Response guarded(F&& f) {
  try {
    return f();
  } catch (const ApiError& e) {
    return bad(e.message);
  }
}

}  // namespace

void add_admin_routes(Api& api) {
  api.add_raw("GET", "/_sandbox/info", [&api](http::Request&) { return ok_json(api.info_json()); });
  api.add_raw("GET", "/_sandbox/effects", [&api](http::Request& req) {
    std::int64_t since = 0;
    if (auto v = req.query_value("since")) {
      const auto n = parse_int(*v);
      if (!n) return bad("data.since should be integer");
      since = *n;
    }
    return ok_json(api.effects_json(since));
  });
  api.add_raw("GET", "/_sandbox/hooks", [&api](http::Request&) { return ok_json(api.hooks_json()); });
  api.add_raw("GET", "/_sandbox/requests", [&api](http::Request&) { return ok_json(api.requests_json()); });
  api.add_raw("GET", "/_sandbox/faults",
              [&api](http::Request&) { return ok_json(json::serialize(faults_json(api.faults()))); });
  api.add_raw("POST", "/_sandbox/faults", [&api](http::Request& req) {
    return guarded([&] {
      api.set_faults(faults_from(parse_object(req.body)));
      return ok_json(json::serialize(faults_json(api.faults())));
    });
  });
  api.add_raw("GET", "/_sandbox/limits",
              [&api](http::Request&) { return ok_json(json::serialize(limits_json(api.limits()))); });
  api.add_raw("POST", "/_sandbox/limits", [&api](http::Request& req) {
    return guarded([&] {
      api.set_limits(limits_from(parse_object(req.body), api.limits()));
      return ok_json(json::serialize(limits_json(api.limits())));
    });
  });
  api.add_raw("POST", "/_sandbox/reset", [&api](http::Request& req) {
    return guarded([&] {
      const auto body = parse_object(req.body);
      std::optional<std::uint64_t> seed;
      if (const auto* s = body.if_contains("seed")) {
        if (!s->is_number()) throw ApiError{400, "invalid_data", "data.seed should be integer"};
        seed = s->to_number<std::uint64_t>();
      }
      api.reset(seed);
      return ok_json(api.info_json());
    });
  });
  api.add_raw("POST", "/_sandbox/helpdesk_mode", [&api](http::Request& req) {
    return guarded([&] {
      const auto body = parse_object(req.body);
      const auto* mode = body.if_contains("mode");
      if (mode == nullptr || !mode->is_string())
        throw ApiError{400, "invalid_data", "data should have required property '.mode'"};
      std::string website;
      if (const auto* w = body.if_contains("website_id"); w != nullptr && w->is_string())
        website = std::string(w->as_string());
      api.set_helpdesk_mode(website, std::string(mode->as_string()));
      return ok_json(api.info_json());
    });
  });
}

}  // namespace weft::sandbox::crisp::detail
