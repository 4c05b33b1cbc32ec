// SPDX-License-Identifier: MIT
// Fault injection, by options and at runtime through POST /_sandbox/faults.

#include <chrono>
#include <system_error>

#include "tests/sandbox/crisp_fixture.hpp"

using namespace crisp_test;

TEST_CASE("error_next answers the next requests with the configured 5xx, then recovers") {
  auto options = test_options();
  options.faults.error_next = 2;
  options.faults.error_status = 502;
  Fixture f(options);
  auto a = f.call("GET", "/operators/list");
  CHECK(a.status == 502);
  CHECK(a.body.at("error") == true);
  CHECK(f.call("GET", "/operators/list").status == 502);
  CHECK(f.call("GET", "/operators/list").status == 200);
}

TEST_CASE("an error rate of 1 fails every request and 0 none") {
  Fixture f;
  f.admin_post("/_sandbox/faults", R"({"error_rate":1})");
  for (int i = 0; i < 5; ++i) CHECK(f.call("GET", "/visitors/count").status == 503);
  f.admin_post("/_sandbox/faults", R"({"error_rate":0.5,"seed":3})");
  int failed = 0;
  for (int i = 0; i < 100; ++i) failed += f.call("GET", "/visitors/count").status == 503 ? 1 : 0;
  CHECK(failed > 20);
  CHECK(failed < 80);
  f.admin_post("/_sandbox/faults", "{}");
  for (int i = 0; i < 5; ++i) CHECK(f.call("GET", "/visitors/count").status == 200);
}

TEST_CASE("drop_next and drop_rate close the connection without an answer") {
  Fixture f;
  f.admin_post("/_sandbox/faults", R"({"drop_next":1})");
  CHECK_THROWS_AS(f.call("GET", "/visitors/count"), std::system_error);
  CHECK(f.call("GET", "/visitors/count").status == 200);
  f.admin_post("/_sandbox/faults", R"({"drop_rate":1})");
  CHECK_THROWS_AS(f.call("GET", "/visitors/count"), std::system_error);
  f.admin_post("/_sandbox/faults", "{}");
  CHECK(f.call("GET", "/visitors/count").status == 200);
  // A dropped write performed nothing.
  f.admin_post("/_sandbox/faults", R"({"drop_next":1})");
  CHECK_THROWS_AS(f.call("POST", "/conversation", "{}"), std::system_error);
  CHECK(f.effects().empty());
  auto counts = f.admin_get("/_sandbox/requests");
  CHECK(counts.at("by_status").at("dropped").to_number<int>() == 3);
}

TEST_CASE("a 429 storm answers the next N requests with 429 and Retry-After") {
  Fixture f;
  f.admin_post("/_sandbox/faults", R"({"storm_429":3,"storm_retry_after":2})");
  for (int i = 0; i < 3; ++i) {
    auto r = f.call("GET", "/operators/list");
    CHECK(r.status == 429);
    CHECK(r.raw.header("Retry-After").value_or("") == "2");
    CHECK(r.raw.header("RateLimit-Reset").value_or("") == "2");
  }
  CHECK(f.call("GET", "/operators/list").status == 200);
  CHECK(f.admin_get("/_sandbox/faults").at("storm_429").to_number<int>() == 0);
}

TEST_CASE("helpdesk_402 answers every helpdesk route with 402 subscription_upgrade_required and nothing else") {
  auto options = test_options();
  options.faults = weft::sandbox::crisp::parse_faults("helpdesk_402=1");
  Fixture f(options);
  auto r = f.call("GET", "/helpdesk/locales/1");
  CHECK(r.status == 402);
  CHECK(r.reason() == "subscription_upgrade_required");
  CHECK(f.call("GET", "/helpdesk/tree/list/en/articles/1").status == 402);
  CHECK(f.call("POST", "/helpdesk/locale/en/article", R"({"title":"x"})").status == 402);
  CHECK(f.call("GET", "/conversations/1").status == 200);
}

TEST_CASE("added latency delays answers by at least the configured time") {
  Fixture f;
  f.admin_post("/_sandbox/faults", R"({"latency_ms":150})");
  const auto start = std::chrono::steady_clock::now();
  CHECK(f.call("GET", "/operators/list").status == 200);
  CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(150));
}

TEST_CASE("fault specs parse from flags and bad ones are refused with the key named") {
  const auto f = weft::sandbox::crisp::parse_faults(
      "latency_ms=5,error_rate=0.25,error_status=504,drop_next=2,storm_429=7,helpdesk_402");
  CHECK(f.latency_ms == 5);
  CHECK(f.error_rate == 0.25);
  CHECK(f.error_status == 504);
  CHECK(f.drop_next == 2);
  CHECK(f.storm_429 == 7);
  CHECK(f.helpdesk_402);
  CHECK_THROWS_WITH_AS(weft::sandbox::crisp::parse_faults("latncy_ms=5"), doctest::Contains("latncy_ms"),
                       std::invalid_argument);
  CHECK_THROWS_AS(weft::sandbox::crisp::parse_faults("error_rate=2"), std::invalid_argument);
  CHECK_THROWS_AS(weft::sandbox::crisp::parse_faults("error_status=404"), std::invalid_argument);
  Fixture fx;
  auto bad = fx.client->request("POST", "/_sandbox/faults", R"({"error_rate":"high"})");
  CHECK(bad.status == 400);
  CHECK(bad.body.find("data.error_rate should be number") != std::string::npos);
}
