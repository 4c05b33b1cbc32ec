// SPDX-License-Identifier: MIT
// Message fingerprints: server-generated 64-bit integers when absent, caller-supplied ones kept,
// and the sandbox policy for a repeated fingerprint (a replay: no second message).

#include "tests/sandbox/crisp_fixture.hpp"

using namespace crisp_test;

TEST_CASE("a message without fingerprint gets a positive server-generated one that reads it back") {
  Fixture f;
  const auto sid = f.any_session();
  auto r = f.call("POST", "/conversation/" + sid + "/message",
                  R"({"type":"text","from":"operator","origin":"chat","content":"Hello"})");
  REQUIRE(r.status == 200);
  CHECK(r.reason() == "dispatched");
  const auto fp = r.data().at("fingerprint").to_number<std::int64_t>();
  CHECK(fp >= 100'000'000'000LL);
  CHECK(fp < (1LL << 53));
  auto m = f.call("GET", "/conversation/" + sid + "/message/" + std::to_string(fp));
  CHECK(m.status == 200);
  CHECK(m.data().at("content") == "Hello");
  CHECK(m.data().at("from") == "operator");
  // It is the newest message and the conversation's last message.
  auto msgs = f.call("GET", "/conversation/" + sid + "/messages").data().as_array();
  CHECK(msgs.back().at("fingerprint").to_number<std::int64_t>() == fp);
  CHECK(f.call("GET", "/conversation/" + sid).data().at("last_message") == "Hello");
}

TEST_CASE("a caller-supplied fingerprint is kept, and sending it again in the same conversation adds nothing") {
  Fixture f;
  const auto sid =
      f.find_session([](const json::object& c) { return c.at("topic") != "Webhook integration debugging"; });
  const std::string body =
      R"({"type":"text","from":"operator","origin":"chat","content":"Exactly once","fingerprint":524653764345})";
  const auto before = f.call("GET", "/conversation/" + sid + "/messages").data().as_array().size();
  auto first = f.call("POST", "/conversation/" + sid + "/message", body);
  auto second = f.call("POST", "/conversation/" + sid + "/message", body);
  CHECK(first.status == 200);
  CHECK(second.status == 200);
  CHECK(first.data().at("fingerprint").to_number<std::int64_t>() == 524653764345LL);
  CHECK(second.data().at("fingerprint").to_number<std::int64_t>() == 524653764345LL);
  const auto after = f.call("GET", "/conversation/" + sid + "/messages").data().as_array();
  CHECK(after.size() == before + 1);
  int copies = 0;
  for (const auto& m : after) copies += m.at("fingerprint").to_number<std::int64_t>() == 524653764345LL ? 1 : 0;
  CHECK(copies == 1);
  // The effect log shows the first send applied and the second as a replay.
  auto effects = f.effects();
  REQUIRE(effects.size() == 2);
  CHECK(effects[0].at("replayed") == false);
  CHECK(effects[1].at("replayed") == true);
  CHECK(effects[1].at("fingerprint").to_number<std::int64_t>() == 524653764345LL);
  CHECK(effects[1].at("session_id") == json::value(sid));

  // The same fingerprint in another conversation is a different message.
  const auto other = f.find_session([&](const json::object& c) { return c.at("session_id") != json::value(sid); });
  auto third = f.call("POST", "/conversation/" + other + "/message", body);
  CHECK(third.status == 200);
  CHECK(f.effects().at(2).at("replayed") == false);
}

TEST_CASE("a negative or fractional fingerprint is invalid_data") {
  Fixture f;
  const auto sid = f.any_session();
  CHECK(f.call("POST", "/conversation/" + sid + "/message",
               R"({"type":"text","from":"operator","origin":"chat","content":"x","fingerprint":-1})")
            .message() == "data.fingerprint should be >= 0");
  CHECK(f.call("POST", "/conversation/" + sid + "/message",
               R"({"type":"text","from":"operator","origin":"chat","content":"x","fingerprint":1.5})")
            .message() == "data.fingerprint should be integer");
}
