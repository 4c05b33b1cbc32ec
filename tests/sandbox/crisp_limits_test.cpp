// SPDX-License-Identifier: MIT
// Per-token rate limit (429 with Retry-After and RateLimit-* in delta seconds, a sandbox
// extension) and the daily quota (423 quota_limit_exceeded).

#include "tests/sandbox/crisp_fixture.hpp"

using namespace crisp_test;

TEST_CASE("past the burst a token gets 429 with Retry-After and RateLimit headers in delta seconds") {
  auto options = test_options();
  options.limits.rate_per_second = 0.01;  // effectively no refill during the test
  options.limits.burst = 5;
  Fixture f(options);
  for (int i = 0; i < 5; ++i) {
    auto ok = f.call("GET", "/visitors/count");
    REQUIRE(ok.status == 200);
    CHECK(ok.raw.header("RateLimit-Limit").value_or("") == "5");
    CHECK(ok.raw.header("RateLimit-Remaining").value_or("") == std::to_string(4 - i));
    const auto reset = std::stoll(std::string(ok.raw.header("RateLimit-Reset").value_or("-1")));
    CHECK(reset >= 0);
    CHECK(reset < 100000);  // delta seconds, never an epoch
  }
  auto limited = f.call("GET", "/visitors/count");
  CHECK(limited.status == 429);
  CHECK(limited.body.at("error") == true);
  CHECK(limited.reason() == "rate_limited");
  const auto retry = std::stoll(std::string(limited.raw.header("Retry-After").value_or("0")));
  CHECK(retry >= 1);
  CHECK(retry <= 100);
  CHECK(limited.raw.header("RateLimit-Remaining").value_or("") == "0");
  CHECK(std::string(limited.raw.header("RateLimit-Reset").value_or("")) == std::to_string(retry));
  // Raising the limit at runtime resets the bucket.
  f.admin_post("/_sandbox/limits", R"({"rate_per_second":1000,"burst":1000})");
  CHECK(f.call("GET", "/visitors/count").status == 200);
}

TEST_CASE("a plugin token past its daily quota gets 423 quota_limit_exceeded") {
  auto options = test_options();
  options.limits.quota_plugin = 3;
  Fixture f(options);
  for (int i = 0; i < 3; ++i) CHECK(f.call("GET", "/operators/list").status == 200);
  auto r = f.call("GET", "/operators/list");
  CHECK(r.status == 423);
  CHECK(r.reason() == "quota_limit_exceeded");
  CHECK(r.body.at("error") == true);
  CHECK(std::stoll(std::string(r.raw.header("Retry-After").value_or("0"))) >= 1);
  // Writes are refused too, and leave no effect.
  CHECK(f.call("POST", "/conversation", "{}").status == 423);
  CHECK(f.effects().empty());
}

TEST_CASE("a request refused by authentication does not consume the quota") {
  auto options = test_options();
  options.limits.quota_plugin = 2;
  Fixture f(options);
  for (int i = 0; i < 5; ++i) f.raw("GET", "/v1/website/" + f.website + "/operators/list");
  CHECK(f.call("GET", "/operators/list").status == 200);
  CHECK(f.call("GET", "/operators/list").status == 200);
  CHECK(f.call("GET", "/operators/list").status == 423);
}
