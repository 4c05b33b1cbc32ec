// SPDX-License-Identifier: MIT
// The effect log, the state file across restarts, seeded determinism, and reset.

#include <filesystem>
#include <fstream>

#include "tests/sandbox/crisp_fixture.hpp"
#include "tests/support/temp_dir.hpp"

using namespace crisp_test;

TEST_CASE(
    "the effect log records every performed write with method, path, body, time, session and fingerprint, and no "
    "read") {
  Fixture f;
  const auto sid = f.any_session();
  f.call("GET", "/conversations/1");
  f.call("GET", "/conversation/" + sid + "/messages");
  f.call("HEAD", "/conversation/" + sid);
  CHECK(f.effects().empty());
  auto sent = f.call("POST", "/conversation/" + sid + "/message",
                     R"({"type":"note","from":"operator","origin":"chat","content":"internal"})");
  f.call("PATCH", "/conversation/" + sid + "/state", R"({"state":"resolved"})");
  f.call("PATCH", "/conversation/" + sid + "/state", R"({"state":"nope"})");  // rejected: not an effect
  auto effects = f.effects();
  REQUIRE(effects.size() == 2);
  const auto& e = effects[0].as_object();
  CHECK(e.at("method") == "POST");
  CHECK(e.at("path") == json::value("/v1/website/" + f.website + "/conversation/" + sid + "/message"));
  CHECK(e.at("body").at("content") == "internal");
  CHECK(e.at("time").to_number<std::int64_t>() > 0);
  CHECK(e.at("session_id") == json::value(sid));
  CHECK(e.at("fingerprint") == sent.data().at("fingerprint"));
  CHECK(e.at("index").to_number<int>() == 0);
  CHECK(effects[1].at("method") == "PATCH");
  CHECK(effects[1].at("fingerprint").is_null());
  // ?since= skips earlier entries.
  CHECK(f.admin_get("/_sandbox/effects?since=1").at("effects").as_array().size() == 1);
  // The request counters saw reads and writes.
  auto counts = f.admin_get("/_sandbox/requests");
  CHECK(counts.at("reads").to_number<int>() >= 4);
  CHECK(counts.at("writes").to_number<int>() == 3);
  CHECK(counts.at("by_status").at("400").to_number<int>() == 1);
}

TEST_CASE("with a state file, writes and the effect log survive a restart") {
  const weft::test::TempDir folder;
  const auto path = folder.file("state.json");
  auto options = test_options(7);
  options.state_file = path;
  std::string sid, website, key;
  std::int64_t fingerprint = 0;
  {
    Fixture f(options);
    website = f.website;
    key = f.creds.key;
    sid = std::string(f.call("POST", "/conversation", "{}").data().at("session_id").as_string());
    fingerprint = f.call("POST", "/conversation/" + sid + "/message",
                         R"({"type":"text","from":"user","origin":"chat","content":"persist me"})")
                      .data()
                      .at("fingerprint")
                      .to_number<std::int64_t>();
    CHECK(std::filesystem::exists(path));
  }
  // A different seed on restart: the state file wins.
  auto options2 = test_options(8);
  options2.state_file = path;
  Fixture g(options2);
  CHECK(g.website == website);
  CHECK(g.creds.key == key);
  auto m = g.call("GET", "/conversation/" + sid + "/message/" + std::to_string(fingerprint));
  CHECK(m.status == 200);
  CHECK(m.data().at("content") == "persist me");
  CHECK(g.effects().size() == 2);
  // New ids after the restart do not repeat ids handed out before it.
  const auto sid2 = std::string(g.call("POST", "/conversation", "{}").data().at("session_id").as_string());
  CHECK(sid2 != sid);
}

TEST_CASE("a state file that is not one is refused with a message naming it") {
  const weft::test::TempDir folder;
  const auto path = folder.file("bad.json");
  { std::ofstream(path) << R"({"hello":"world"})"; }
  auto options = test_options();
  options.state_file = path;
  weft::sandbox::crisp::Sandbox s(options);
  CHECK_THROWS_WITH_AS(s.start(), doctest::Contains("bad.json"), std::runtime_error);
}

TEST_CASE("the seeded data is the same for the same seed and differs for another seed") {
  Fixture a(test_options(11));
  Fixture b(test_options(11));
  Fixture c(test_options(12));
  for (const std::string& route : std::vector<std::string>{
           "/conversations/1?per_page=50", "/conversations/2?per_page=50", "/visitors/list/1", "/people/profiles/1",
           "/campaigns/list/1", "/helpdesk/locale/en/articles/1", "/conversations/spams/1"}) {
    CAPTURE(route);
    // Ids and texts are derived from the seed; the website id is part of every path.
    CHECK(a.call("GET", route).raw.body == b.call("GET", route).raw.body);
  }
  CHECK(a.website == b.website);
  CHECK(a.creds.key == b.creds.key);
  CHECK(a.website != c.website);
  CHECK(a.call("GET", "/conversations/1").raw.body != c.call("GET", "/conversations/1").raw.body);
}

TEST_CASE("reset restores the seeded world and clears the effect log") {
  Fixture f;
  const auto before = f.call("GET", "/conversations/1").raw.body;
  f.call("POST", "/conversation/" + f.any_session() + "/message",
         R"({"type":"text","from":"user","origin":"chat","content":"new"})");
  CHECK(f.call("GET", "/conversations/1").raw.body != before);
  CHECK(f.effects().size() == 1);
  f.admin_post("/_sandbox/reset", "{}");
  CHECK(f.call("GET", "/conversations/1").raw.body == before);
  CHECK(f.effects().empty());
}
