// SPDX-License-Identifier: MIT
// The identifier maze, enforced before any request: what the model gets wrong is rejected with
// a message it can act on (what is wrong, where, and where a valid id comes from).
#include "nodes/crisp/catalog.hpp"
#include "nodes/crisp/detail/arguments.hpp"
#include "nodes/crisp/error.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <doctest/doctest.h>

#include <string>

using namespace weft::crisp;
namespace json = boost::json;

namespace {
const std::string kWebsite = "8c842203-7ed8-4e29-a608-7cf78a7d2fcc";
const std::string kSession = "session_700c65e1-85e2-465a-b9ac-ecb5ec2c9881";

detail::PreparedArguments prepare(const std::string& tool, const std::string& args) {
  const CatalogEntry* e = Catalog::builtin().find(tool);
  REQUIRE(e != nullptr);
  return detail::prepare_arguments(Catalog::builtin(), *e, json::parse(args), kWebsite);
}

// The rejection message for `args`, or "" when accepted.
std::string rejection(const std::string& tool, const std::string& args) {
  try {
    prepare(tool, args);
    return "";
  } catch (const weft::Error& e) {
    CHECK(e.code() == make_error_code(error::invalid_argument));
    return e.what();
  }
}
}  // namespace

TEST_CASE("a valid call is split into path variables, query and body with the bound website") {
  const auto p = prepare("crisp_conversations_update_inbox",
                         R"({"session_id":")" + kSession + R"(","inbox_id":"bf6935c9-43b3-4f8e-87ea-175c1e1ed1a9"})");
  CHECK(p.vars.at("website_id") == json::value(kWebsite));
  CHECK(p.vars.at("session_id") == json::value(kSession));
  CHECK(p.body.at("inbox_id") == json::value("bf6935c9-43b3-4f8e-87ea-175c1e1ed1a9"));
  CHECK(p.has_body);
  CHECK(p.query.empty());
}

TEST_CASE("a hallucinated session id is rejected with where to get a real one") {
  const std::string msg = rejection("list_all_crisp_messages", R"({"session_id":"conv_12345"})");
  CHECK(msg.find("session_id") != std::string::npos);
  CHECK(msg.find("conv_12345") != std::string::npos);
  CHECK(msg.find("session_700c65e1") != std::string::npos);  // the expected form
  CHECK(msg.find("list_all_crisp_conversations") != std::string::npos);
  CHECK(msg.find("nothing was sent") != std::string::npos);
}

TEST_CASE("a session id with a malformed uuid is rejected") {
  CHECK_FALSE(
      rejection("get_single_crisp_conversation_by_id", R"({"session_id":"session_700c65e1-85e2-465a-b9ac"})").empty());
  CHECK_FALSE(rejection("get_single_crisp_conversation_by_id",
                        R"({"session_id":"session_700C65E1-85E2-465A-B9AC-ECB5EC2C9881x"})")
                  .empty());
}

TEST_CASE("naming a website is rejected because the binding fixes it") {
  const std::string msg =
      rejection("list_all_crisp_conversations", R"({"website_id":"11111111-2222-4333-8444-555555555555"})");
  CHECK(msg.find("website_id is not an argument") != std::string::npos);
  CHECK(msg.find(kWebsite) != std::string::npos);
}

TEST_CASE("a fingerprint given as a string or a decimal is rejected") {
  const std::string base = R"({"session_id":")" + kSession + R"(","fingerprint":)";
  CHECK(rejection("get_single_crisp_message_by_id", base + "\"524653764345\"}").find("integer") != std::string::npos);
  CHECK_FALSE(rejection("get_single_crisp_message_by_id", base + "5246.5}").empty());
  CHECK_FALSE(rejection("get_single_crisp_message_by_id", base + "-3}").empty());
  CHECK(rejection("get_single_crisp_message_by_id", base + "524653764345}").empty());
  CHECK(rejection("get_single_crisp_message_by_id", base + "9223372036854775807}").empty());
}

TEST_CASE("the model cannot set the message fingerprint") {
  const std::string msg =
      rejection("create_a_crisp_message", R"({"session_id":")" + kSession +
                                              R"(","type":"text","from":"operator","content":"hi","fingerprint":42})");
  CHECK(msg.find("unknown argument 'fingerprint'") != std::string::npos);
}

TEST_CASE("enums are checked") {
  CHECK_FALSE(
      rejection("update_a_crisp_conversation_state_by_id", R"({"session_id":")" + kSession + R"(","state":"closed"})")
          .empty());
  CHECK_FALSE(rejection("create_a_crisp_message",
                        R"({"session_id":")" + kSession + R"(","type":"sms","from":"operator","content":"x"})")
                  .empty());
  CHECK_FALSE(rejection("create_a_crisp_report", R"({"session_id":")" + kSession + R"(","flag":"boring"})").empty());
}

TEST_CASE("locales are checked") {
  CHECK(rejection("list_all_crisp_helpdesk_articles", R"({"locale":"english"})")
            .find("list_all_crisp_helpdesk_locales") != std::string::npos);
  CHECK(rejection("list_all_crisp_helpdesk_articles", R"({"locale":"en"})").empty());
  CHECK(rejection("list_all_crisp_helpdesk_articles", R"({"locale":"pt-br"})").empty());
}

TEST_CASE("missing required fields are named") {
  const std::string msg = rejection("create_a_crisp_message", R"({"session_id":")" + kSession + R"("})");
  CHECK(msg.find("content") != std::string::npos);
  CHECK(msg.find("type") != std::string::npos);
  CHECK_FALSE(rejection("crisp_campaigns_pause", "{}").empty());
}

TEST_CASE("wrong types are rejected") {
  CHECK_FALSE(
      rejection("update_a_crisp_conversation_block_by_id", R"({"session_id":")" + kSession + R"(","blocked":"yes"})")
          .empty());
  CHECK_FALSE(rejection("list_all_crisp_conversations", R"({"page_number":"2"})").empty());
  CHECK_FALSE(rejection("list_all_crisp_conversations", R"({"per_page":500})").empty());
  CHECK_FALSE(rejection("list_all_crisp_conversations", "[1,2]").empty());
}

TEST_CASE("an unknown argument is rejected and the real ones are listed") {
  const std::string msg =
      rejection("get_single_crisp_conversation_by_id", R"({"session_id":")" + kSession + R"(","conversation":"x"})");
  CHECK(msg.find("unknown argument 'conversation'") != std::string::npos);
  CHECK(msg.find("session_id") != std::string::npos);
}

TEST_CASE("ids nested in objects and arrays are checked too") {
  CHECK(rejection("update_a_crisp_conversation_routing_by_id",
                  R"({"session_id":")" + kSession + R"(","assigned":{"user_id":"bob"}})")
            .find("list_all_crisp_operators") != std::string::npos);
  CHECK_FALSE(
      rejection("create_a_crisp_message", R"({"session_id":")" + kSession +
                                              R"(","type":"note","from":"operator","content":"x","mentions":["bob"]})")
          .empty());
}

TEST_CASE("defaults fill what the model may leave out") {
  const auto p = prepare("list_all_crisp_conversations", "{}");
  CHECK(p.vars.at("page_number") == json::value(1));
  const auto read = prepare("crisp_conversations_mark_read", R"({"session_id":")" + kSession + R"("})");
  CHECK(read.body.at("from") == json::value("user"));
  CHECK(read.body.at("origin") == json::value("chat"));
}

TEST_CASE("an article tool needs an article_id or a tree_path") {
  CHECK(rejection("crisp_helpdesk_articles_publish", R"({"locale":"en"})").find("article_id or tree_path") !=
        std::string::npos);
  CHECK(rejection("crisp_helpdesk_articles_publish", R"({"locale":"en","tree_path":"faq/refunds.md"})").empty());
  CHECK_FALSE(rejection("crisp_helpdesk_articles_publish", R"({"locale":"en","tree_path":"../etc/passwd"})").empty());
}

TEST_CASE("an update with nothing to change is rejected") {
  CHECK(rejection("update_a_crisp_conversation_meta_by_id", R"({"session_id":")" + kSession + R"("})")
            .find("at least one") != std::string::npos);
}

// issue #10: a model's 30,000-character tree_path overflowed the stack inside std::regex (exit
// 139), and every resume replayed the journaled answer into the same crash.
TEST_CASE("a megabyte-long id from a model is refused with a short message, never a crash") {
  std::string path;
  while (path.size() < (1u << 20)) path += "getting-started/";
  path += "install.md";
  json::object args;
  args["locale"] = "en";
  args["tree_path"] = path;
  const std::string msg = rejection("get_single_crisp_helpdesk_article_by_id", json::serialize(args));
  CHECK(msg.find("is not a valid Crisp tree_path") != std::string::npos);
  CHECK(msg.size() < 2000);  // the id is shown cut short, not echoed whole
  args["tree_path"] = std::string(30'000, 'a');
  CHECK(rejection("get_single_crisp_helpdesk_article_by_id", json::serialize(args)).find("tree_path") !=
        std::string::npos);
  args.erase("tree_path");
  args["article_id"] = std::string(1u << 20, 'f');
  CHECK(rejection("get_single_crisp_helpdesk_article_by_id", json::serialize(args)).find("article_id") !=
        std::string::npos);
  // up to the cap a tree path is still an id
  args.erase("article_id");
  args["tree_path"] = std::string(1020, 'a') + ".md";
  CHECK(rejection("get_single_crisp_helpdesk_article_by_id", json::serialize(args)).empty());
}

TEST_CASE("an id kind without a length cap still matches a megabyte in linear time") {
  const Catalog catalog = Catalog::parse(
      R"({"format":"weft-crisp-catalog/1","id_kinds":{"path":{"pattern":"^[a-z]+(/[a-z]+)*$","example":"a/b","source":"a list"}},"tools":[]})");
  const IdKind* kind = catalog.id_kind("path");
  REQUIRE(kind != nullptr);
  CHECK(kind->max_length == 0);
  std::string path;
  while (path.size() < (1u << 20)) path += "abc/";
  CHECK(kind->matches(path + "z"));
  CHECK_FALSE(kind->matches(path));
}

TEST_CASE("a catalog id pattern RE2 cannot take is refused when the catalog loads") {
  try {
    Catalog::parse(
        R"({"format":"weft-crisp-catalog/1","id_kinds":{"k":{"pattern":"^(a)\\1$","example":"aa","source":"s"}},"tools":[]})");
    FAIL("parsed");
  } catch (const weft::Error& e) {
    CHECK(e.code() == make_error_code(error::invalid_catalog));
    CHECK(std::string(e.what()).find("id_kinds.k") != std::string::npos);
    CHECK(std::string(e.what()).find("backreference") != std::string::npos);
  }
}
