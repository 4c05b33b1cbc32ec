// SPDX-License-Identifier: MIT
// The /store routes (long-term memory) as LangGraph's API answers them, and bad input refused
// with a LangGraph-shaped 422 and nothing written.

#include "support.hpp"

#include <doctest/doctest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace json = boost::json;
using server_test::detail_of;
using server_test::TestServer;

namespace {

server_test::Reply put(TestServer& s, const json::value& body) {
  return s.request("PUT", "/store/items", json::serialize(body));
}

json::array all_namespaces(TestServer& s) {
  return s.post("/store/namespaces", json::object{}).json.at("namespaces").as_array();
}

}  // namespace

TEST_CASE("the store routes put, get, search, list and delete items in LangGraph's shapes") {
  TestServer s;
  CHECK(put(s, json::parse(R"({"namespace":["customers","c-42"],"key":"plan","value":{"plan":"pro"}})")).status == 204);
  CHECK(put(s, json::parse(R"({"namespace":["customers","c-43"],"key":"plan","value":{"plan":"free"},"ttl":5})"))
            .status == 204);

  auto got = s.get("/store/items?namespace=customers.c-42&key=plan");
  REQUIRE(got.status == 200);
  CHECK(got.json.at("namespace") == json::parse(R"(["customers","c-42"])"));
  CHECK(got.json.at("key") == "plan");
  CHECK(got.json.at("value") == json::parse(R"({"plan":"pro"})"));
  CHECK(got.json.at("created_at").is_string());
  CHECK(got.json.at("updated_at").is_string());
  auto missing = s.get("/store/items?namespace=customers.c-99&key=plan");
  CHECK(missing.status == 200);
  CHECK(missing.json.is_null());

  auto found =
      s.post("/store/items/search",
             json::parse(R"({"namespace_prefix":["customers"],"filter":{"plan":"pro"},"limit":10,"offset":0})"));
  REQUIRE(found.status == 200);
  REQUIRE(found.json.at("items").as_array().size() == 1);
  CHECK(found.json.at("items").at(0).at("namespace") == json::parse(R"(["customers","c-42"])"));
  CHECK(s.post("/store/items/search", json::parse(R"({"namespace_prefix":["customers"]})"))
            .json.at("items")
            .as_array()
            .size() == 2);

  CHECK(all_namespaces(s) == json::parse(R"([["customers","c-42"],["customers","c-43"]])"));
  CHECK(s.post("/store/namespaces", json::parse(R"({"prefix":["customers"],"max_depth":1})")).json.at("namespaces") ==
        json::parse(R"([["customers"]])"));

  CHECK(s.request("DELETE", "/store/items", R"({"namespace":["customers","c-42"],"key":"plan"})").status == 204);
  CHECK(s.get("/store/items?namespace=customers.c-42&key=plan").json.is_null());
  CHECK(s.get("/info").json.at("flags").at("store") == true);
}

TEST_CASE("a store request with a missing key, a bad namespace or an oversized value is a 422 and writes nothing") {
  weft::server::ServerOptions options;
  options.body_limit = 4u << 20;  // above the store's 1 MiB value limit, so the store's own check answers
  TestServer s(options);

  auto no_key = put(s, json::parse(R"({"namespace":["a"],"value":{"x":1}})"));
  CHECK(no_key.status == 422);
  CHECK(detail_of(no_key).find("'key' is required") != std::string::npos);
  CHECK(s.get("/store/items?namespace=a").status == 422);
  CHECK(s.request("DELETE", "/store/items", R"({"namespace":["a"]})").status == 422);

  auto dotted = put(s, json::parse(R"({"namespace":["a.b"],"key":"k","value":{"x":1}})"));
  CHECK(dotted.status == 422);
  CHECK(detail_of(dotted).find("cannot contain periods") != std::string::npos);
  CHECK(put(s, json::parse(R"({"namespace":[],"key":"k","value":{"x":1}})")).status == 422);
  CHECK(put(s, json::parse(R"({"namespace":["a",""],"key":"k","value":{"x":1}})")).status == 422);
  CHECK(put(s, json::parse(R"({"namespace":"a","key":"k","value":{"x":1}})")).status == 422);
  CHECK(put(s, json::parse(R"({"namespace":["a",7],"key":"k","value":{"x":1}})")).status == 422);
  CHECK(put(s, json::parse(R"({"namespace":["a"],"key":"k","value":[1]})")).status == 422);
  CHECK(put(s, json::parse(R"({"namespace":["a"],"key":"k","value":{"x":1},"ttl":-1})")).status == 422);
  CHECK(s.request("PUT", "/store/items", "{not json").status == 422);

  json::object big{{"namespace", json::array{"a"}},
                   {"key", "k"},
                   {"value", json::object{{"blob", std::string((1u << 20) + 16, 'x')}}}};
  auto oversized = put(s, big);
  CHECK(oversized.status == 422);
  CHECK(detail_of(oversized).find("store value is") != std::string::npos);

  CHECK(s.post("/store/namespaces", json::parse(R"({"max_depth":0})")).status == 422);
  CHECK(s.post("/store/items/search", json::parse(R"({"limit":"ten"})")).status == 422);

  CHECK(all_namespaces(s).empty());
  CHECK(s.post("/store/items/search", json::object{}).json.at("items").as_array().empty());
}
