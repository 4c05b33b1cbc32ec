// SPDX-License-Identifier: MIT
// What the Crisp tools refuse against the in-process sandbox: wrong types, missing fields,
// hallucinated ids and a named website before any request; Crisp's own refusals after it.

#include "tests/crisp/tools_sandbox_support.hpp"

#include <doctest/doctest.h>

using namespace tools_sandbox_test;

TEST_CASE("wrong types, missing fields, hallucinated ids and a named website are rejected before any request") {
  Env env;
  Ids ids = discover(env);
  ids.tree_path = "faq/refunds.md";
  const json::value before = env.requests().at("total");
  const std::size_t effects_before = env.effects().size();
  int rejections = 0;
  auto expect_rejected = [&](const std::string& tool, const json::object& args, const std::string& what) {
    INFO(tool, " with ", what, ": ", json::serialize(args));
    try {
      env.call(tool, json::value(args));
      FAIL_CHECK("accepted");
    } catch (const weft::Error& e) {
      CHECK(e.code() == make_error_code(error::invalid_argument));
      CHECK(std::string(e.what()).find("nothing was sent") != std::string::npos);
      ++rejections;
    }
  };
  for (auto& [name, build] : valid_calls(RouteFamily::tree)) {
    const CatalogEntry* entry = Catalog::builtin().find(name);
    REQUIRE(entry != nullptr);
    const json::object valid = build(ids);
    const json::object& props = entry->parameters.at("properties").as_object();

    json::object named = valid;
    named["website_id"] = env.sandbox().other_website_id();
    expect_rejected(name, named, "website_id");

    json::object unknown = valid;
    unknown["conversation_ref"] = "x";
    expect_rejected(name, unknown, "an unknown argument");

    if (const auto* required = entry->parameters.if_contains("required"))
      for (const auto& r : required->as_array()) {
        json::object missing = valid;
        missing.erase(r.as_string());
        expect_rejected(name, missing, "missing " + std::string(r.as_string()));
      }

    for (const auto& [arg, value] : valid) {
      const json::object& prop = props.at(arg).as_object();
      const json::value& type = prop.at("type");
      auto has = [&](std::string_view t) {
        if (type.is_string()) return type.as_string() == t;
        for (const auto& x : type.as_array())
          if (x.as_string() == t) return true;
        return false;
      };
      json::object wrong = valid;
      if (has("string"))
        wrong[arg] = 12345;
      else if (has("integer") || has("number"))
        wrong[arg] = "seven";
      else if (has("boolean"))
        wrong[arg] = "yes";
      else
        wrong[arg] = "x";
      expect_rejected(name, wrong, "a wrong type for " + std::string(arg));

      if (const auto* kind = prop.if_contains("x-crisp-id")) {
        json::object bad = valid;
        if (kind->as_string() == "fingerprint")
          bad[arg] = "524653764345";
        else if (kind->as_string() == "tree_path")
          bad[arg] = "../../etc/passwd";  // any slug path is well-formed
        else
          bad[arg] = "hallucinated_" + std::string(arg);
        expect_rejected(name, bad, "a hallucinated " + std::string(arg));
      }
    }
  }
  CHECK(rejections > 150);
  // Nothing reached the sandbox: no request at all, and no write in its effect log.
  CHECK(env.requests().at("total") == before);
  CHECK(env.effects().size() == effects_before);
}

TEST_CASE("a hallucinated id gets an error that says where real ids come from") {
  Env env;
  try {
    env.call("crisp_conversations_update_inbox", R"({"session_id":"session_12345","inbox_id":"engineering"})");
    FAIL("accepted");
  } catch (const weft::Error& e) {
    const std::string msg = e.what();
    CHECK(msg.find("list_all_crisp_conversations") != std::string::npos);
    CHECK(msg.find("list_all_crisp_inboxes") != std::string::npos);
  }
}

TEST_CASE("a well-formed id that does not exist gets not_found naming the ids and their source") {
  Env env;
  try {
    env.call("get_single_crisp_conversation_by_id", R"({"session_id":"session_00000000-0000-4000-8000-000000000000"})");
    FAIL("accepted");
  } catch (const ApiError& e) {
    CHECK(e.code() == make_error_code(error::not_found));
    CHECK(e.status() == 404);
    CHECK(std::string(e.what()).find("list_all_crisp_conversations") != std::string::npos);
  }
}

TEST_CASE("tools bound to another website's id fail with not_subscribed and write nothing") {
  Env env;
  const std::string session = str(env.call("list_all_crisp_conversations", "{}").as_array().at(0), "session_id");
  CrispConfig other = env.config();
  other.website_id = env.sandbox().other_website_id();
  auto tools = env.tools_for(other);
  const std::size_t effects_before = env.effects().size();
  CHECK_THROWS_AS(env.run(tools->call("list_all_crisp_conversations", json::object())), ApiError);
  try {
    json::object args{{"session_id", session}, {"type", "text"}, {"from", "operator"}, {"content", "hi"}};
    env.run(tools->call("create_a_crisp_message", json::value(args)));
    FAIL("accepted");
  } catch (const ApiError& e) {
    CHECK(e.code() == make_error_code(error::not_subscribed));
    CHECK(e.reason() == "not_subscribed");
  }
  CHECK(env.effects().size() == effects_before);
}

TEST_CASE("Crisp's invalid_data message reaches the caller") {
  Env env;
  // The sandbox validates bodies like Crisp; send a body our schema would refuse, directly.
  const std::string path = env.client().website_path("conversation");
  const std::string session = str(env.call("list_all_crisp_conversations", "{}").as_array().at(0), "session_id");
  try {
    env.run(env.client().request("PATCH", env.client().website_path("conversation/" + session + "/state"), {},
                                 json::value(json::object{{"state", "closed"}})));
    FAIL("accepted");
  } catch (const ApiError& e) {
    CHECK(e.code() == make_error_code(error::invalid_data));
    CHECK(e.status() == 400);
    CHECK_FALSE(e.detail().empty());
    CHECK(std::string(e.what()).find(e.detail()) != std::string::npos);
  }
  (void)path;
}
