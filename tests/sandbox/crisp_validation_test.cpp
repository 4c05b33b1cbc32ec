// SPDX-License-Identifier: MIT
// Request bodies are validated with AJV-style invalid_data messages (crisp-api.md §1.4).

#include "tests/sandbox/crisp_fixture.hpp"

using namespace crisp_test;

TEST_CASE("a message without origin is rejected with data should have required property '.origin'") {
  Fixture f;
  const auto sid = f.any_session();
  auto r = f.call("POST", "/conversation/" + sid + "/message", R"({"type":"text","from":"operator","content":"hi"})");
  CHECK(r.status == 400);
  CHECK(r.body.at("error") == true);
  CHECK(r.reason() == "invalid_data");
  CHECK(r.message() == "data should have required property '.origin'");
}

TEST_CASE("an unknown message type and a content that does not fit its type read like AJV's anyOf errors") {
  Fixture f;
  const auto sid = f.any_session();
  auto bad_type = f.call("POST", "/conversation/" + sid + "/message",
                         R"({"type":"texte","from":"operator","origin":"chat","content":"hi"})");
  CHECK(bad_type.status == 400);
  CHECK(bad_type.message().find("data.type should be equal to one of the allowed values") == 0);
  CHECK(bad_type.message().find("data should match some schema in anyOf") != std::string::npos);

  auto mismatch = f.call("POST", "/conversation/" + sid + "/message",
                         R"({"type":"text","from":"operator","origin":"chat","content":{"a":1}})");
  CHECK(mismatch.status == 400);
  CHECK(mismatch.message().find("data.content should be string") == 0);
  CHECK(mismatch.message().find("data should match some schema in anyOf") != std::string::npos);

  auto file_ok = f.call(
      "POST", "/conversation/" + sid + "/message",
      R"({"type":"file","from":"operator","origin":"chat","content":{"name":"a.pdf","url":"https://x.test/a.pdf","type":"application/pdf"}})");
  CHECK(file_ok.status == 200);
}

TEST_CASE("wrong types, enums, formats and bodies that are not JSON objects are invalid_data") {
  Fixture f;
  const auto sid = f.any_session();
  const std::string c = "/conversation/" + sid;
  CHECK(f.call("PATCH", c + "/state", R"({"state":"closed"})").message() ==
        "data.state should be equal to one of the allowed values");
  CHECK(f.call("PATCH", c + "/state", R"({})").message() == "data should have required property '.state'");
  CHECK(f.call("PATCH", c + "/block", R"({"blocked":"yes"})").message() == "data.blocked should be boolean");
  CHECK(f.call("PATCH", c + "/inbox", R"({"inbox_id":"engineering"})").message() ==
        "data.inbox_id should match format \"uuid\"");
  CHECK(f.call("PATCH", c + "/meta", R"({"email":"not-an-email"})").message() ==
        "data.email should match format \"email\"");
  CHECK(f.call("PATCH", c + "/meta", R"({"segments":["ok",3]})").message() == "data.segments[1] should be string");
  CHECK(f.call("POST", c + "/report", R"({"flag":"boring"})").message() ==
        "data.flag should be equal to one of the allowed values");
  CHECK(f.call("PATCH", c + "/routing", R"({"assigned":{}})").message() ==
        "data.assigned should have required property '.user_id'");
  CHECK(f.call("POST", c + "/message", "[1,2]").message() == "data should be object");
  CHECK(f.call("POST", c + "/message", "{not json").message() == "data should be object");
  CHECK(f.call("POST", "/people/profile", R"({"email":"a@b.co","person":{}})").message() ==
        "data.person should have required property '.nickname'");
  CHECK(f.call("POST", "/helpdesk/locale/en/article", R"({"title":""})").message() ==
        "data.title should NOT be shorter than 1 characters");
  CHECK(f.call("GET", "/conversations/1?per_page=51").message() == "data.per_page should be <= 50");
  const auto fp = std::to_string(f.list(c + "/messages").back().at("fingerprint").to_number<std::int64_t>());
  CHECK(f.call("PATCH", c + "/message/" + fp, R"({"content":{"a":1}})").message() == "data.content should be string");
  CHECK(f.call("PATCH", c + "/message/" + fp, R"({})").message() == "data should have required property '.content'");
  CHECK(f.call("GET", "/conversations/1?filter_inbox_id=x").message() ==
        "data.filter_inbox_id should match format \"uuid\"");
  // Nothing was written.
  CHECK(f.effects().empty());
}

TEST_CASE("writes naming things that do not exist answer not_found and change nothing") {
  Fixture f;
  const auto sid = f.any_session();
  CHECK(f.call("PATCH", "/conversation/" + sid + "/inbox", R"({"inbox_id":"00000000-0000-4000-8000-000000000000"})")
            .status == 404);
  CHECK(f.call("PATCH", "/conversation/" + sid + "/routing",
               R"({"assigned":{"user_id":"00000000-0000-4000-8000-000000000000"}})")
            .status == 404);
  CHECK(f.call("POST", "/campaign/00000000-0000-4000-8000-000000000000/pause").status == 404);
  CHECK(f.effects().empty());
}

// issue #10: std::regex recursed per character, so a client's megabyte string crashed the
// sandbox's validator (stack overflow); RE2 matches it in linear time.
TEST_CASE("a megabyte string checked against a pattern or a format is answered, not a crash") {
  Fixture f;
  const auto sid = f.any_session();
  const std::string c = "/conversation/" + sid;
  const std::string long_text(1u << 20, 'a');
  auto email = f.call("PATCH", c + "/meta", R"({"email":")" + long_text + R"("})");
  CHECK(email.status == 400);
  CHECK(email.message() == "data.email should match format \"email\"");
  auto origin = f.call("POST", c + "/message",
                       R"({"type":"text","from":"operator","content":"hi","origin":"urn:)" + long_text + R"(!"})");
  CHECK(origin.status == 400);
  CHECK(origin.message().find("data.origin should match pattern") == 0);
  CHECK(f.effects().empty());
}
