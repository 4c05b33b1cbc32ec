// SPDX-License-Identifier: MIT
// HTTP_PROXY / HTTPS_PROXY / NO_PROXY: a loopback proxy (test_proxy.hpp) sees every request the
// client sends when one is set, and none when NO_PROXY lists the host. (The CONNECT tunnel to a
// TLS server is in tls_test.cpp.)

#include "nodes/http/client.hpp"
#include "nodes/http/proxy.hpp"
#include "sandbox/http/server.hpp"
#include "tests/http/test_proxy.hpp"
#include "tests/tools/run_sync.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <map>
#include <mutex>

namespace asio = boost::asio;
namespace http = weft::http;
namespace shttp = weft::sandbox::http;

namespace {

struct Origin {
  std::mutex mutex;
  std::vector<std::string> targets;
  std::unique_ptr<shttp::Server> server;
  Origin() {
    shttp::Router router;
    router.add("*", "/{*rest}", [this](shttp::Request& req) {
      std::lock_guard lock(mutex);
      targets.push_back(req.target);
      return shttp::Response::text(200, "from origin");
    });
    server = std::make_unique<shttp::Server>(std::move(router));
    server->start();
  }
};

asio::awaitable<http::Response> get(http::Client client, std::string url) {
  http::Request r;
  r.url = std::move(url);
  http::Response res = co_await client.request(std::move(r));
  co_return res;
}

std::function<std::optional<std::string>(std::string_view)> env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    if (auto it = vars.find(std::string(name)); it != vars.end()) return it->second;
    return std::nullopt;
  };
}

}  // namespace

TEST_CASE("NO_PROXY matches hosts, domain suffixes, ports and '*', and nothing else") {
  http::ProxySettings s;
  s.no_proxy = "crisp.chat, .example.org,localhost:8080 127.0.0.1";
  CHECK(s.bypasses("crisp.chat", 443));
  CHECK(s.bypasses("api.crisp.chat", 443));
  CHECK_FALSE(s.bypasses("notcrisp.chat", 443));
  CHECK(s.bypasses("example.org", 80));
  CHECK(s.bypasses("www.example.org", 80));
  CHECK(s.bypasses("localhost", 8080));
  CHECK_FALSE(s.bypasses("localhost", 8081));
  CHECK(s.bypasses("127.0.0.1", 1234));
  CHECK_FALSE(s.bypasses("127.0.0.2", 1234));
  CHECK_FALSE(s.bypasses("api.openai.com", 443));
  s.no_proxy = "*";
  CHECK(s.bypasses("anything.example", 1));
  s.no_proxy = "";
  CHECK_FALSE(s.bypasses("localhost", 80));  // loopback is not implicitly direct
}

TEST_CASE("proxy settings come from the environment, lower-case first, ALL_PROXY filling the gaps") {
  auto s = http::ProxySettings::from_env(env_of({{"HTTP_PROXY", "http://upper:1"},
                                                 {"http_proxy", "http://lower:2"},
                                                 {"ALL_PROXY", "http://all:3"},
                                                 {"NO_PROXY", "internal"}}));
  CHECK(s.http_proxy == "http://lower:2");
  CHECK(s.https_proxy == "http://all:3");
  CHECK(s.no_proxy == "internal");
  CHECK(http::ProxySettings::from_env(env_of({})).http_proxy.empty());
}

TEST_CASE("with HTTP_PROXY set, every plain HTTP request goes through the proxy in absolute form") {
  Origin origin;
  weft::test::TestProxy proxy;
  REQUIRE(setenv("HTTP_PROXY", proxy.url().c_str(), 1) == 0);
  unsetenv("http_proxy");
  unsetenv("NO_PROXY");
  unsetenv("no_proxy");
  asio::io_context io;
  http::Client client(io.get_executor());  // reads the environment
  unsetenv("HTTP_PROXY");
  const std::string base = origin.server->base_url();
  for (int i = 0; i < 3; ++i) {
    const auto res = weft::test::run_sync(io, get(client, base + "/x/" + std::to_string(i) + "?q=1"));
    CHECK(res.status == 200);
    CHECK(res.body == "from origin");
  }
  const std::vector<std::string> expected = {"GET " + base + "/x/0?q=1", "GET " + base + "/x/1?q=1",
                                             "GET " + base + "/x/2?q=1"};
  CHECK(proxy.seen() == expected);
  std::lock_guard lock(origin.mutex);
  CHECK(origin.targets == std::vector<std::string>{"/x/0?q=1", "/x/1?q=1", "/x/2?q=1"});  // origin form upstream
}

TEST_CASE("a host listed in NO_PROXY is reached directly") {
  Origin origin;
  weft::test::TestProxy proxy;
  asio::io_context io;
  http::ClientOptions options;
  options.proxy = http::ProxySettings{proxy.url(), proxy.url(), "localhost,127.0.0.1"};
  http::Client client(io.get_executor(), options);
  CHECK(weft::test::run_sync(io, get(client, origin.server->base_url() + "/direct")).status == 200);
  CHECK(proxy.seen().empty());
}

TEST_CASE("proxy credentials are sent as Proxy-Authorization and never shown in an error") {
  Origin origin;
  weft::test::TestProxy proxy;
  asio::io_context io;
  http::ClientOptions options;
  const std::string with_credentials = "http://proxyuser:pr0xy-s3cret@127.0.0.1:" + std::to_string(proxy.port());
  options.proxy = http::ProxySettings{with_credentials, "", ""};
  http::Client client(io.get_executor(), options);
  CHECK(weft::test::run_sync(io, get(client, origin.server->base_url() + "/x")).status == 200);
  REQUIRE(proxy.authorizations().size() == 1);
  CHECK(proxy.authorizations()[0] == "Basic cHJveHl1c2VyOnByMHh5LXMzY3JldA==");

  // A proxy that is not there: the error names it without its password.
  http::ClientOptions dead;
  dead.retry.max_attempts = 1;
  dead.proxy = http::ProxySettings{"http://proxyuser:pr0xy-s3cret@127.0.0.1:1", "", ""};
  http::Client failing(io.get_executor(), dead);
  try {
    weft::test::run_sync(io, get(failing, origin.server->base_url() + "/x"));
    FAIL("a dead proxy answered");
  } catch (const http::RequestError& e) {
    CHECK(e.code() == http::error::connect_failed);
    const std::string what = e.what();
    CHECK(what.find("pr0xy-s3cret") == std::string::npos);
    CHECK(what.find("proxy") != std::string::npos);
  }
}
