// SPDX-License-Identifier: MIT
// Helpdesk: both route families over one store, per-website mode, tree path rules.

#include "tests/sandbox/crisp_fixture.hpp"

using namespace crisp_test;

TEST_CASE("a legacy article is created, written, published and then visible through the tree routes") {
  Fixture f;  // mode "both"
  auto add = f.call("POST", "/helpdesk/locale/en/article", R"({"title":"Fix webhook signatures"})");
  REQUIRE(add.status == 200);
  CHECK(add.reason() == "added");
  const std::string id(add.data().at("article_id").as_string());
  const std::string a = "/helpdesk/locale/en/article/" + id;
  CHECK(f.call("GET", a).data().at("status") == "draft");
  CHECK(f.call("PATCH", a, R"({"content":"Use the raw body.","description":"HMAC how-to"})").status == 200);
  auto pub = f.call("POST", a + "/publish");
  CHECK(pub.status == 200);
  const std::string url(pub.data().at("url").as_string());
  CHECK(url.rfind("https://help.acme-cloud.io/en/article/fix-webhook-signatures-", 0) == 0);
  auto got = f.call("GET", a).data();
  CHECK(got.at("status") == "published");
  CHECK(got.at("content") == "Use the raw body.");
  CHECK(got.at("description") == "HMAC how-to");
  CHECK(f.call("GET", a + "/page").data().at("url") == json::value(url));
  // Publishing again is a replay.
  f.call("POST", a + "/publish");
  CHECK(f.effects().back().at("replayed") == true);
  // The same entry through the tree family.
  auto entity = f.call("GET", "/helpdesk/page/entity/en/articles/" + id).data();
  CHECK(entity.at("tree_path") == "fix-webhook-signatures.md");
  CHECK(f.call("GET", "/helpdesk/tree/content/en/articles/fix-webhook-signatures.md").data().at("content") ==
        "Use the raw body.");
  bool listed = false;
  for (const auto& p : f.list("/helpdesk/page/list/en/articles/1"))
    listed = listed || p.at("entity_id") == json::value(id);
  CHECK(listed);
  // Unpublish removes it from the public pages.
  f.call("POST", a + "/unpublish");
  listed = false;
  for (const auto& p : f.list("/helpdesk/page/list/en/articles/1"))
    listed = listed || p.at("entity_id") == json::value(id);
  CHECK_FALSE(listed);
}

TEST_CASE("a tree article is created in a new folder, written, and published by PATCHing state.published") {
  Fixture f;
  const std::string tail = "/en/articles/webhooks/verify-signatures.md";
  CHECK(f.call("POST", "/helpdesk/tree/path" + tail).status == 200);
  // The missing folder was created (sandbox behaviour), and creating again is a replay.
  CHECK(f.call("GET", "/helpdesk/tree/path/en/articles/webhooks").data().at("type") == "folder");
  CHECK(f.call("POST", "/helpdesk/tree/path" + tail).status == 200);
  CHECK(f.effects().back().at("replayed") == true);
  CHECK(f.call("PUT", "/helpdesk/tree/content" + tail, R"({"content":"# Verify"})").status == 200);
  CHECK(f.call("PUT", "/helpdesk/tree/content" + tail, R"({})").message() ==
        "data should have required property '.content'");
  CHECK(f.call("PATCH", "/helpdesk/tree/metadata" + tail,
               R"({"title":"Verify signatures","description":"d","state":{"published":false,"hidden":false}})")
            .status == 200);
  auto list = f.call("GET", "/helpdesk/page/list/en/articles/1").data().as_array();
  CHECK(std::none_of(list.begin(), list.end(),
                     [](const json::value& p) { return p.at("tree_path") == "webhooks/verify-signatures.md"; }));
  CHECK(f.call("PATCH", "/helpdesk/tree/metadata" + tail, R"({"state":{"published":true}})").status == 200);
  auto meta = f.call("GET", "/helpdesk/tree/metadata" + tail).data();
  CHECK(meta.at("state").at("published") == true);
  CHECK(meta.at("state").at("hidden") == false);  // merged field by field
  CHECK(meta.at("title") == "Verify signatures");
  auto page = f.call("GET", "/helpdesk/tree/page" + tail).data();
  CHECK(page.at("title") == "Verify signatures");
  list = f.call("GET", "/helpdesk/page/list/en/articles/1").data().as_array();
  CHECK(std::any_of(list.begin(), list.end(),
                    [](const json::value& p) { return p.at("tree_path") == "webhooks/verify-signatures.md"; }));
  // The tree list shows the folder with its child; a title search finds it flat.
  auto tree = f.call("GET", "/helpdesk/tree/list/en/articles/1?sub_path=webhooks").data().as_array();
  REQUIRE(tree.size() == 1);
  CHECK(tree[0].at("slug") == "verify-signatures.md");
  auto found = f.call("GET", "/helpdesk/tree/list/en/articles/1?search_title=verify").data().as_array();
  REQUIRE(found.size() == 1);
  CHECK(found[0].at("path") == "webhooks/verify-signatures.md");
  // One history change per write.
  CHECK(f.call("GET", "/helpdesk/history/changes/1?filter_tree_path=webhooks%2Fverify-signatures.md")
            .data()
            .as_array()
            .size() == 4);
  // Legacy view of the same article.
  const std::string id(
      f.call("GET", "/helpdesk/page/entity/en/articles/" + std::string(list.back().at("entity_id").as_string()))
          .data()
          .at("entity_id")
          .as_string());
  CHECK(f.call("GET", "/helpdesk/locale/en/article/" + id).data().at("status") == "published");
}

TEST_CASE("tree paths with dot segments are refused and encoded segments are decoded") {
  Fixture f;
  CHECK(f.call("POST", "/helpdesk/tree/path/en/articles/a/%2E%2E/b.md").reason() == "invalid_data");
  CHECK(f.call("POST", "/helpdesk/tree/path/en/articles/how%20to.md").status == 200);
  CHECK(f.call("GET", "/helpdesk/tree/path/en/articles/how%20to.md").data().at("slug") == "how to.md");
  CHECK(f.call("GET", "/helpdesk/tree/list/en/manuals/1").message() ==
        "data.content_type should be equal to one of the allowed values");
  CHECK(f.call("GET", "/helpdesk/tree/content/en/articles/getting-started").reason() == "invalid_data");  // a folder
}

TEST_CASE("the helpdesk mode hides the other family as an unknown route") {
  auto legacy = test_options();
  legacy.helpdesk_mode = "legacy";
  Fixture l(legacy);
  CHECK(l.call("GET", "/helpdesk/locale/en/articles/1").status == 200);
  auto t = l.call("GET", "/helpdesk/tree/list/en/articles/1");
  CHECK(t.status == 404);
  CHECK(t.message() == "the route does not exist");
  CHECK(l.call("GET", "/helpdesk/locale/en").data().as_object().contains("articles"));
  CHECK_FALSE(l.call("GET", "/helpdesk/locale/en").data().as_object().contains("statistics"));

  auto tree = test_options();
  tree.helpdesk_mode = "tree";
  Fixture tr(tree);
  CHECK(tr.call("GET", "/helpdesk/tree/list/en/articles/1").status == 200);
  CHECK(tr.call("POST", "/helpdesk/locale/en/article", R"({"title":"x"})").message() == "the route does not exist");
  CHECK(tr.call("GET", "/helpdesk/locale/en").data().as_object().contains("statistics"));
  // Switching at runtime.
  tr.admin_post("/_sandbox/helpdesk_mode", R"({"mode":"legacy"})");
  CHECK(tr.call("GET", "/helpdesk/tree/list/en/articles/1").status == 404);
  CHECK(tr.call("GET", "/helpdesk/locale/en/articles/1").status == 200);
  CHECK_THROWS_AS(weft::sandbox::crisp::Sandbox([] {
                    auto o = test_options();
                    o.helpdesk_mode = "new";
                    return o;
                  }()),
                  std::invalid_argument);
}
