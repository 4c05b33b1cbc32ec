// SPDX-License-Identifier: MIT
#pragma once
// A Crisp sandbox started on a free loopback port plus a tiny authenticated client, for the
// sandbox's own tests (no dependency on nodes/: the Weft client is tested elsewhere).

#include <doctest/doctest.h>

#include <memory>
#include <vector>
#include <string>

#include <boost/json.hpp>

#include "sandbox/crisp/sandbox.hpp"
#include "sandbox/http/client.hpp"
#include "sandbox/http/url.hpp"

namespace crisp_test {

namespace json = boost::json;
namespace sc = weft::sandbox::crisp;
namespace sh = weft::sandbox::http;

struct Reply {
  int status = 0;
  json::value body;  // parsed envelope (null when the body is empty or not JSON)
  sh::ClientResponse raw;
  const json::value& data() const { return body.at("data"); }
  std::string reason() const { return std::string(body.at("reason").as_string()); }
  std::string message() const {
    const auto* m = body.at("data").as_object().if_contains("message");
    return m != nullptr ? std::string(m->as_string()) : std::string();
  }
};

// Default options for tests: no rate limit, no quota (cases that test them set their own).
inline sc::SandboxOptions test_options(std::uint64_t seed = 42) {
  sc::SandboxOptions o;
  o.seed = seed;
  o.limits.rate_per_second = 0;
  o.limits.quota_plugin = 0;
  return o;
}

class Fixture {
 public:
  explicit Fixture(sc::SandboxOptions options = test_options()) : sandbox(std::move(options)) {
    sandbox.start();
    client = std::make_unique<sh::Client>("127.0.0.1", sandbox.port());
    creds = sandbox.credentials();
    website = sandbox.website_id();
  }

  // Sends an authenticated request to /v1/website/<website><suffix>.
  Reply call(std::string_view method, const std::string& suffix, std::string_view body = {}) {
    return raw(method, "/v1/website/" + website + suffix, body, auth_headers());
  }

  sh::Fields auth_headers() const {
    return {{"Authorization", sh::basic_auth(creds.identifier, creds.key)},
            {"X-Crisp-Tier", creds.tier},
            {"Content-Type", "application/json"}};
  }

  Reply raw(std::string_view method, const std::string& target, std::string_view body = {},
            const sh::Fields& headers = {}) {
    Reply r;
    r.raw = client->request(method, target, body, headers);
    r.status = r.raw.status;
    json::error_code ec;
    if (!r.raw.body.empty()) r.body = json::parse(r.raw.body, ec);
    if (ec) r.body = nullptr;
    return r;
  }

  // The data array of an authenticated GET (a copy: safe to iterate).
  json::array list(const std::string& suffix) { return call("GET", suffix).data().as_array(); }

  // Admin endpoint JSON.
  json::value admin_get(const std::string& path) { return json::parse(client->request("GET", path).body); }
  json::value admin_post(const std::string& path, const std::string& body) {
    return json::parse(client->request("POST", path, body, {{"Content-Type", "application/json"}}).body);
  }
  json::array effects() { return admin_get("/_sandbox/effects").at("effects").as_array(); }

  // The first conversation of page 1 matching `pred`.
  template <class Pred>
  std::string find_session(Pred pred, int max_pages = 6) {
    for (int p = 1; p <= max_pages; ++p) {
      auto r = call("GET", "/conversations/" + std::to_string(p) + "?per_page=50");
      REQUIRE(r.status == 200);
      for (const auto& c : r.data().as_array()) {
        if (pred(c.as_object())) return std::string(c.at("session_id").as_string());
      }
      if (r.data().as_array().empty()) break;
    }
    FAIL("no conversation matches");
    return {};
  }
  std::string any_session() {
    return find_session([](const json::object&) { return true; });
  }

  sc::Sandbox sandbox;
  std::unique_ptr<sh::Client> client;
  sc::Credentials creds;
  std::string website;
};

}  // namespace crisp_test
