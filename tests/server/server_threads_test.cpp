// SPDX-License-Identifier: MIT
// weft::server's assistants (the registered graphs) and threads: created, searched, patched and
// deleted, on an in-process server on loopback.

#include "support.hpp"

#include <doctest/doctest.h>

#include <algorithm>

namespace json = boost::json;
using server_test::detail_of;
using server_test::TestServer;

TEST_CASE("assistants are the registered graphs, addressable by name or stable uuid") {
  TestServer s;
  auto all = s.post("/assistants/search", json::object{{"limit", 10}});
  REQUIRE(all.status == 200);
  REQUIRE(all.json.as_array().size() == 5);  // steps, review, slow, talk, visitor
  CHECK(all.json.as_array()[0].at("graph_id") == "steps");
  const std::string uuid(all.json.as_array()[0].at("assistant_id").as_string());
  CHECK(uuid.size() == 36);
  auto by_uuid = s.get("/assistants/" + uuid);
  CHECK(by_uuid.status == 200);
  CHECK(by_uuid.json.at("graph_id") == "steps");
  CHECK(s.get("/assistants/steps").json.at("assistant_id") == json::value(uuid));
  auto filtered = s.post("/assistants/search", json::object{{"graph_id", "review"}});
  CHECK(filtered.json.as_array().size() == 1);
  auto unknown = s.get("/assistants/nope");
  CHECK(unknown.status == 404);
  CHECK(detail_of(unknown) == "Assistant 'nope' not found");
  auto graph = s.get("/assistants/steps/graph");
  REQUIRE(graph.status == 200);
  CHECK(graph.json.at("nodes").as_array().size() == 4);  // __start__, first, second, __end__
  json::array edges = graph.json.at("edges").as_array();
  CHECK(edges.size() == 3);
  CHECK(std::find(edges.begin(), edges.end(),
                  json::value(json::object{{"source", "first"}, {"target", "second"}, {"conditional", false}})) !=
        edges.end());
  auto schemas = s.get("/assistants/review/schemas");
  CHECK(schemas.json.at("input_schema").at("properties").as_object().contains("word"));
  CHECK(schemas.json.at("state_schema").at("properties").as_object().contains("answer"));
}

TEST_CASE("threads are created, found by metadata and status, patched and deleted") {
  TestServer s;
  auto a = s.post("/threads", json::object{{"thread_id", "t-a"}, {"metadata", json::object{{"team", "support"}}}});
  REQUIRE(a.status == 200);
  CHECK(a.json.at("status") == "idle");
  CHECK(a.json.at("metadata").at("team") == "support");
  auto again = s.post("/threads", json::object{{"thread_id", "t-a"}});
  CHECK(again.status == 409);
  auto kept = s.post("/threads", json::object{{"thread_id", "t-a"}, {"if_exists", "do_nothing"}});
  CHECK(kept.status == 200);
  CHECK(kept.json.at("metadata").at("team") == "support");
  s.post("/threads", json::object{{"thread_id", "t-b"}, {"metadata", json::object{{"team", "sales"}}}});
  auto found = s.post("/threads/search", json::object{{"metadata", json::object{{"team", "sales"}}}});
  REQUIRE(found.json.as_array().size() == 1);
  CHECK(found.json.as_array()[0].at("thread_id") == "t-b");
  auto patched = s.request("PATCH", "/threads/t-b", R"({"metadata":{"tier":"gold"}})");
  CHECK(patched.json.at("metadata").at("tier") == "gold");
  CHECK(patched.json.at("metadata").at("team") == "sales");
  CHECK(s.request("DELETE", "/threads/t-b").status == 204);
  CHECK(s.get("/threads/t-b").status == 404);
  CHECK(s.post("/threads/search", json::object{{"status", "idle"}}).json.as_array().size() == 1);
}
