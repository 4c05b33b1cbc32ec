// SPDX-License-Identifier: MIT
// The HTTP client keeps secrets out of what it reports: errors and events never show a key.

#include "tests/http/client_support.hpp"

#include <doctest/doctest.h>

using namespace client_test;

TEST_CASE("a secret registered with the client is masked in what a failing server sent back") {
  auto answers = std::make_shared<Answers>();
  answers->answers = {
      status(503, {}, R"({"error":"bad token s3cr3t-registered-value for user:s3cr3t-registered-value"})")};
  auto server = serve(answers);
  Fixture f;
  auto options = f.options();
  options.secrets = {"s3cr3t-registered-value"};
  http::Client client(f.io.get_executor(), options);
  const auto e = expect_error(f.io, client, get(server->base_url() + "/x"));
  CHECK(std::string(e.what()).find("s3cr3t-registered-value") == std::string::npos);
  CHECK(std::string(e.what()).find("[redacted]") != std::string::npos);
  client.add_credentials("ident", "another-secret-key");
  CHECK(client.redact("echo ident:another-secret-key") == "echo [redacted]");
}

TEST_CASE("no secret from the Authorization header or the query string appears in errors or events") {
  auto answers = std::make_shared<Answers>();
  shttp::Router router;
  router.add("*", "/{*rest}", [](shttp::Request& req) {
    // A hostile server echoing the credentials it received.
    return shttp::Response::json(
        500,
        std::string("{\"echo\":\"") + std::string(req.header("authorization").value_or("")) + " " + req.target + "\"}");
  });
  shttp::Server server(std::move(router));
  server.start();
  Fixture f;
  http::Client client(f.io.get_executor(), f.options());
  http::Request r = get(server.base_url() + "/v1/x?api_key=querysecret42&page=1");
  r.headers = {{"Authorization", "Bearer sk-very-secret-123"}};
  const auto e = expect_error(f.io, client, r);
  const std::string what = e.what();
  CHECK(what.find("echo") != std::string::npos);                // the body excerpt is there...
  CHECK(what.find("sk-very-secret-123") == std::string::npos);  // ...without the secrets
  CHECK(what.find("querysecret42") == std::string::npos);
  REQUIRE_FALSE(f.events.empty());
  for (const auto& event : f.events) {
    CHECK(event.to_string().find("sk-very-secret-123") == std::string::npos);
    CHECK(event.to_string().find("querysecret42") == std::string::npos);
  }
}
