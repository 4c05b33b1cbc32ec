// SPDX-License-Identifier: MIT
#include "nodes/crisp/detail/path_template.hpp"

#include <boost/json/parse.hpp>
#include <doctest/doctest.h>

using weft::crisp::detail::PathTemplate;
namespace json = boost::json;

TEST_CASE("a path template substitutes and percent-encodes variables") {
  const auto t = PathTemplate::parse("website/{website_id}/conversation/{session_id}/message/{fingerprint}");
  const json::object vars =
      json::parse(R"({"website_id":"w 1","session_id":"session_a/b","fingerprint":524653764345})").as_object();
  CHECK(t.expand(vars) == "website/w%201/conversation/session_a%2Fb/message/524653764345");
  CHECK(t.variables() == std::vector<std::string>{"website_id", "session_id", "fingerprint"});
}

TEST_CASE("a multi-segment variable keeps its slashes and refuses dot segments") {
  const auto t = PathTemplate::parse("helpdesk/tree/path/{locale}/articles/{tree_path*}");
  CHECK(t.expand(json::parse(R"({"locale":"en","tree_path":"getting started/install.md"})").as_object()) ==
        "helpdesk/tree/path/en/articles/getting%20started/install.md");
  CHECK_THROWS_AS(t.expand(json::parse(R"({"locale":"en","tree_path":"a/../b.md"})").as_object()),
                  std::invalid_argument);
  CHECK_THROWS_AS(t.expand(json::parse(R"({"locale":"en","tree_path":"a//b.md"})").as_object()), std::invalid_argument);
  // '?' and '#' cannot cut the path into a query or a fragment.
  CHECK(t.expand(json::parse(R"({"locale":"en","tree_path":"a?x=1#f"})").as_object()) ==
        "helpdesk/tree/path/en/articles/a%3Fx%3D1%23f");
}

TEST_CASE("a missing or empty path variable is an error, not an empty segment") {
  const auto t = PathTemplate::parse("website/{website_id}/conversation/{session_id}");
  CHECK_THROWS_AS(t.expand(json::parse(R"({"website_id":"w"})").as_object()), std::invalid_argument);
  CHECK_THROWS_AS(t.expand(json::parse(R"({"website_id":"w","session_id":""})").as_object()), std::invalid_argument);
}

TEST_CASE("an unbalanced template is rejected") {
  CHECK_THROWS_AS(PathTemplate::parse("website/{website_id"), std::invalid_argument);
  CHECK_THROWS_AS(PathTemplate::parse("website/}x{"), std::invalid_argument);
  CHECK_THROWS_AS(PathTemplate::parse("website/{}"), std::invalid_argument);
}
