// SPDX-License-Identifier: MIT
// The gate every /v1 route passes: envelope, Basic auth, X-Crisp-Tier, website subscription,
// unknown routes, malformed ids.

#include "tests/sandbox/crisp_fixture.hpp"

using namespace crisp_test;

TEST_CASE("a success answer is the envelope with error false, a reason and the data") {
  Fixture f;
  auto r = f.call("GET", "/conversations/1");
  CHECK(r.status == 200);
  CHECK(r.body.at("error") == false);
  CHECK(r.reason() == "resolved");
  CHECK(r.data().is_array());
  CHECK(r.raw.header("Content-Type").value_or("").find("application/json") == 0);
}

TEST_CASE("requests without credentials, with a wrong key or with a wrong tier are unauthorized") {
  Fixture f;
  const std::string target = "/v1/website/" + f.website + "/conversations/1";
  auto none = f.raw("GET", target);
  CHECK(none.status == 401);
  CHECK(none.body.at("error") == true);
  CHECK(none.reason() == "unauthorized");

  auto wrong =
      f.raw("GET", target, {},
            {{"Authorization", sh::basic_auth(f.creds.identifier, "not-the-key")}, {"X-Crisp-Tier", "plugin"}});
  CHECK(wrong.status == 401);

  auto garbage = f.raw("GET", target, {}, {{"Authorization", "Basic %%%"}, {"X-Crisp-Tier", "plugin"}});
  CHECK(garbage.status == 401);

  // A plugin token sent as the user tier (the official clients' default) is refused.
  auto no_tier = f.raw("GET", target, {}, {{"Authorization", sh::basic_auth(f.creds.identifier, f.creds.key)}});
  CHECK(no_tier.status == 401);
  auto website_tier =
      f.raw("GET", target, {},
            {{"Authorization", sh::basic_auth(f.creds.identifier, f.creds.key)}, {"X-Crisp-Tier", "website"}});
  CHECK(website_tier.status == 401);
  CHECK(website_tier.message().find("plugin") != std::string::npos);

  auto ok = f.raw("GET", target, {}, f.auth_headers());
  CHECK(ok.status == 200);
}

TEST_CASE("another website's id answers 404 not_subscribed, and so does an unknown website") {
  Fixture f;
  const auto other = f.sandbox.other_website_id();
  REQUIRE(other != f.website);
  auto r = f.raw("GET", "/v1/website/" + other + "/conversations/1", {}, f.auth_headers());
  CHECK(r.status == 404);
  CHECK(r.reason() == "not_subscribed");
  CHECK(r.body.at("error") == true);
  auto unknown = f.raw("GET", "/v1/website/00000000-0000-4000-8000-000000000000/conversations/1", {}, f.auth_headers());
  CHECK(unknown.status == 404);
  CHECK(unknown.reason() == "not_subscribed");
  // Writes to another website change nothing.
  auto w = f.raw("POST", "/v1/website/" + other + "/conversation", "{}", f.auth_headers());
  CHECK(w.status == 404);
  CHECK(f.effects().empty());
}

TEST_CASE("an unknown route answers 404 not_found with the message the route does not exist") {
  Fixture f;
  for (const std::string& target :
       std::vector<std::string>{"/v1/website/" + f.website + "/nope", std::string("/v1/nothing"), std::string("/"),
                                "/v1/website/" + f.website + "/conversations/1/extra"}) {
    CAPTURE(target);
    auto r = f.raw("GET", target, {}, f.auth_headers());
    CHECK(r.status == 404);
    CHECK(r.reason() == "not_found");
    CHECK(r.message() == "the route does not exist");
  }
  // A page number that is not a positive integer does not name a route either.
  CHECK(f.call("GET", "/conversations/0").message() == "the route does not exist");
  CHECK(f.call("GET", "/conversations/abc").message() == "the route does not exist");
}

TEST_CASE("malformed ids are rejected with invalid_data naming the expected form, and unknown ids with not_found") {
  Fixture f;
  auto bad_session = f.call("GET", "/conversation/session_123");
  CHECK(bad_session.status == 400);
  CHECK(bad_session.reason() == "invalid_data");
  CHECK(bad_session.message().find("data.session_id should match pattern") == 0);

  auto bad_website = f.raw("GET", "/v1/website/acme/conversations/1", {}, f.auth_headers());
  CHECK(bad_website.status == 400);
  CHECK(bad_website.message() == "data.website_id should match format \"uuid\"");

  auto missing = f.call("GET", "/conversation/session_00000000-0000-4000-8000-000000000000");
  CHECK(missing.status == 404);
  CHECK(missing.reason() == "not_found");

  CHECK(f.call("GET", "/people/profile/NOT-A-UUID").message() == "data.people_id should match format \"uuid\"");
  CHECK(f.call("GET", "/campaign/123").message() == "data.campaign_id should match format \"uuid\"");
  CHECK(f.call("GET", "/helpdesk/locale/english").message().find("data.locale should match pattern") == 0);
  const auto sid = f.any_session();
  CHECK(f.call("GET", "/conversation/" + sid + "/message/12ab").message() == "data.fingerprint should be integer");
  CHECK(f.call("GET", "/conversation/" + sid + "/message/1").status == 404);
}
