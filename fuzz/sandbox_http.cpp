// SPDX-License-Identifier: MIT
// The Crisp sandbox's HTTP request handling, in process: raw request bytes go through the same
// Beast parser settings and request conversion as a connection (sandbox/http/detail/session.*)
// and then through the Crisp router (gate, routes, validation). The sandbox is seeded with the
// default seed (42), whose token the seed corpus uses for Basic auth, so inputs get past the
// gate (fuzz/corpus/sandbox_http); rate limits and quotas are off
// so the fuzzer reaches the routes. Any exception out of dispatch is a bug (a connection turns it
// into a 500, which a real client would see as a sandbox defect).

#include "sandbox/crisp/detail/api.hpp"
#include "sandbox/http/detail/session.hpp"

#include "sandbox/http/client.hpp"

#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

namespace {

namespace bhttp = boost::beast::http;
using namespace weft::sandbox;

struct World {
  std::unique_ptr<crisp::detail::Api> api;
  http::Router router;
  std::size_t requests = 0;
  std::string website;
  std::string session;
  std::string authorization;

  World() {
    crisp::SandboxOptions options;  // seed 42: the token and ids of `weft sandbox` by default
    options.limits.rate_per_second = 0;
    options.limits.burst = 0;
    options.limits.quota_plugin = 0;
    options.limits.quota_website = 0;
    api = std::make_unique<crisp::detail::Api>(options);
    api->init();
    router = api->build_router();
    const crisp::Token token = api->token();
    authorization = http::basic_auth(token.identifier, token.key);
    website = api->main_website_id();
    http::Request list;
    list.method = "GET";
    list.path = list.target = "/v1/website/" + website + "/conversations/1";
    list.headers = {{"authorization", authorization}, {"x-crisp-tier", token.tier}};
    const http::Response page = router.dispatch(list);
    session = std::string(boost::json::parse(page.body).at("data").at(0).at("session_id").as_string());
  }

  std::string expand(std::string_view bytes) const {
    std::string out;
    out.reserve(bytes.size());
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      if (bytes.substr(i, 3) == "@W@") {
        out += website;
        i += 2;
      } else if (bytes.substr(i, 3) == "@S@") {
        out += session;
        i += 2;
      } else {
        out += bytes[i];
      }
    }
    return out;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* raw, std::size_t raw_size) {
  static World world;
  const std::string bytes = world.expand(std::string_view(reinterpret_cast<const char*>(raw), raw_size));
  const auto* data = reinterpret_cast<const std::uint8_t*>(bytes.data());
  const std::size_t size = bytes.size();
  // Writes accumulate in the sandbox's state: start from the seed again now and then, so memory
  // stays bounded over a million runs.
  if (++world.requests % 1000 == 0) world.api->reset(std::nullopt);

  bhttp::request_parser<bhttp::string_body> parser;
  parser.body_limit(8 * 1024 * 1024);  // the server's default (sandbox/http/server.hpp)
  boost::beast::error_code ec;
  // Feed the bytes as two reads (half, then all), as a socket delivers a request.
  std::size_t used = 0;
  std::size_t available = size / 2;
  while (!parser.is_done()) {
    const std::size_t n = parser.put(boost::asio::buffer(data + used, available - used), ec);
    used += n;
    if (ec == bhttp::error::need_more) ec = {};
    if (ec) return 0;
    if (n == 0) {
      if (available == size) break;
      available = size;
    }
  }
  if (!parser.is_done()) parser.put_eof(ec);
  if (ec || !parser.is_done()) return 0;

  auto msg = parser.release();
  http::Request req = http::detail::to_request(msg);
  req.remote_address = "127.0.0.1";
  if (!req.header("authorization")) {
    req.headers.emplace_back("authorization", world.authorization);
    if (!req.header("x-crisp-tier")) req.headers.emplace_back("x-crisp-tier", "plugin");
  }
  const http::Response res = world.router.dispatch(req);
  if (res.status < 100 || res.status > 599) std::abort();
  return 0;
}
