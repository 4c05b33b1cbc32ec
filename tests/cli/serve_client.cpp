// SPDX-License-Identifier: MIT
// Talking to a `weft serve` the tests started (serve_client.hpp).

#include "tests/cli/serve_client.hpp"

#include "sandbox/http/client.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <doctest/doctest.h>

namespace json = boost::json;

namespace weft::test {

const std::vector<std::string> kServeCleanEnv = {"CRISP_API_IDENTIFIER", "CRISP_API_KEY",  "CRISP_WEBSITE_ID",
                                                 "CRISP_API_URL",        "OPENAI_API_KEY", "OPENAI_BASE_URL",
                                                 "WEFT_MODEL",           "WEFT_DB",        "WEFT_CRASH_AT",
                                                 "CRISP_HOOK_SECRET",    "CRISP_HOOK_KEY"};

std::uint16_t port_of_url(const std::string& url) {
  const auto colon = url.find(':', url.find("//") + 2);
  return static_cast<std::uint16_t>(std::stoi(url.substr(colon + 1)));
}

std::uint16_t serve_port(BackgroundProcess& server) {
  return port_of_url(std::string(json::parse(server.read_line()).at("url").as_string()));
}

json::value call_api(std::uint16_t port, const char* method, const std::string& target, const json::value& body) {
  weft::sandbox::http::Client client("127.0.0.1", port);
  const std::string text = body.is_null() ? std::string() : json::serialize(body);
  auto answer = client.request(method, target, text, {{"Content-Type", "application/json"}});
  INFO(method << " " << target << ": " << answer.body);
  REQUIRE(answer.status / 100 == 2);
  return answer.body.empty() ? json::value(nullptr) : json::parse(answer.body);
}

}  // namespace weft::test
