// SPDX-License-Identifier: MIT
// Pagination: page numbers in the path with per_page 20–50, filters, and messages paged backwards
// with timestamp_before in batches of 40, oldest first (crisp-api.md §1.5, §2.1, §2.4).

#include <set>

#include "tests/sandbox/crisp_fixture.hpp"

using namespace crisp_test;

namespace {
std::vector<std::string> all_sessions(Fixture& f, const std::string& query, int per_page) {
  std::vector<std::string> out;
  for (int page = 1; page < 50; ++page) {
    auto r = f.call("GET", "/conversations/" + std::to_string(page) + "?per_page=" + std::to_string(per_page) + query);
    REQUIRE(r.status == 200);
    const auto& items = r.data().as_array();
    CHECK(static_cast<int>(items.size()) <= per_page);
    if (items.empty()) break;
    for (const auto& c : items) out.emplace_back(c.at("session_id").as_string());
  }
  return out;
}
}  // namespace

TEST_CASE(
    "conversation pages of 20 and of 50 cover the same conversations, most recently updated first, until an empty "
    "page") {
  Fixture f;
  const auto by20 = all_sessions(f, "", 20);
  const auto by50 = all_sessions(f, "", 50);
  CHECK(by20.size() > 50);  // several pages
  CHECK(by20 == by50);
  CHECK(std::set<std::string>(by20.begin(), by20.end()).size() == by20.size());
  auto p1 = f.call("GET", "/conversations/1");
  CHECK(p1.data().as_array().size() == 20);  // default per_page
  std::int64_t last = INT64_MAX;
  for (const auto& c : p1.data().as_array()) {
    const auto updated = c.at("updated_at").to_number<std::int64_t>();
    CHECK(updated <= last);
    last = updated;
  }
}

TEST_CASE("conversations without messages are listed only with include_empty") {
  Fixture f;
  const auto without = all_sessions(f, "", 50);
  const auto with = all_sessions(f, "&include_empty=1", 50);
  CHECK(with.size() > without.size());
  auto created = f.call("POST", "/conversation", "{}");
  const std::string sid(created.data().at("session_id").as_string());
  const auto after = all_sessions(f, "&include_empty=1", 50);
  CHECK(std::find(after.begin(), after.end(), sid) != after.end());
  const auto after_without = all_sessions(f, "", 50);
  CHECK(std::find(after_without.begin(), after_without.end(), sid) == after_without.end());
}

TEST_CASE("filters select unread, resolved, not resolved, inbox and text matches") {
  Fixture f;
  auto check_all = [&](const std::string& query, auto pred) {
    const auto sessions = all_sessions(f, query, 50);
    CHECK(!sessions.empty());
    for (const auto& sid : sessions) {
      auto c = f.call("GET", "/conversation/" + sid);
      CHECK(pred(c.data().as_object()));
    }
    return sessions.size();
  };
  const auto total = all_sessions(f, "", 50).size();
  const auto unread = check_all(
      "&filter_unread=1", [](const json::object& c) { return c.at("unread").at("operator").to_number<int>() > 0; });
  const auto resolved =
      check_all("&filter_resolved=1", [](const json::object& c) { return c.at("state") == "resolved"; });
  const auto open =
      check_all("&filter_not_resolved=1", [](const json::object& c) { return c.at("state") != "resolved"; });
  CHECK(unread < total);
  CHECK(resolved + open == total);

  auto inboxes = f.call("GET", "/inboxes/list/1").data().as_array();
  std::string engineering;
  for (const auto& i : inboxes) {
    if (i.at("name") == "Engineering") engineering = std::string(i.at("inbox_id").as_string());
  }
  REQUIRE(!engineering.empty());
  check_all("&filter_inbox_id=" + engineering,
            [&](const json::object& c) { return c.at("inbox_id") == json::value(engineering); });

  const auto injected = all_sessions(f, "&search_query=" + sh::percent_encode("ignore your instructions"), 50);
  CHECK(injected.size() == 1);
  const auto spam = all_sessions(f, "&search_query=" + sh::percent_encode("http://"), 50);
  CHECK(spam.size() >= 10);
  const auto segment = all_sessions(f, "&search_type=segment&search_query=bug", 50);
  CHECK(!segment.empty());
  const auto filter = all_sessions(
      f,
      "&search_type=filter&search_query=" +
          sh::percent_encode(R"([{"model":"session","criterion":"state","operator":"eq","query":["resolved"]}])"),
      50);
  CHECK(filter.size() == resolved);
}

TEST_CASE("messages come in batches of 40, oldest first, and page backwards with timestamp_before") {
  Fixture f;
  const auto sid =
      f.find_session([](const json::object& c) { return c.at("topic") == "Webhook integration debugging"; });
  std::vector<std::int64_t> fingerprints;
  std::string query;
  int batches = 0;
  std::int64_t newer_than_batch = INT64_MAX;
  while (true) {
    auto r = f.call("GET", "/conversation/" + sid + "/messages" + query);
    REQUIRE(r.status == 200);
    const auto& msgs = r.data().as_array();
    if (msgs.empty()) break;
    ++batches;
    CHECK(msgs.size() <= 40);
    std::int64_t prev = 0;
    for (const auto& m : msgs) {
      const auto ts = m.at("timestamp").to_number<std::int64_t>();
      CHECK(ts >= prev);             // oldest first
      CHECK(ts < newer_than_batch);  // strictly before the cursor
      prev = ts;
      fingerprints.push_back(m.at("fingerprint").to_number<std::int64_t>());
    }
    newer_than_batch = msgs.front().at("timestamp").to_number<std::int64_t>();
    query = "?timestamp_before=" + std::to_string(newer_than_batch);
    if (msgs.size() < 40) {
      auto beyond = f.call("GET", "/conversation/" + sid + "/messages" + query);
      CHECK(beyond.data().as_array().empty());
      break;
    }
  }
  CHECK(batches == 3);
  CHECK(fingerprints.size() == 95);
  CHECK(std::set<std::int64_t>(fingerprints.begin(), fingerprints.end()).size() == 95);
  CHECK(f.call("GET", "/conversation/" + sid + "/messages?timestamp_before=abc").reason() == "invalid_data");
}

TEST_CASE(
    "server-stamped messages come strictly after the conversation's last message, so paging backwards skips none") {
  Fixture f;
  const auto sid =
      f.find_session([](const json::object& c) { return c.at("topic") != "Webhook integration debugging"; });
  const std::string path = "/conversation/" + sid + "/message";
  const auto future = f.list("/conversation/" + sid + "/messages").back().at("timestamp").to_number<std::int64_t>() +
                      10LL * 365 * 86'400'000;
  CHECK(f.call("POST", path,
               R"({"type":"text","from":"user","origin":"chat","content":"from the future","timestamp":)" +
                   std::to_string(future) + "}")
            .status == 200);
  std::int64_t last = future;
  for (int i = 0; i < 45; ++i) {
    auto r =
        f.call("POST", path,
               R"({"type":"text","from":"operator","origin":"chat","content":"quick )" + std::to_string(i) + R"("})");
    const auto fp = r.data().at("fingerprint").to_number<std::int64_t>();
    const auto ts = f.call("GET", path + "/" + std::to_string(fp)).data().at("timestamp").to_number<std::int64_t>();
    CHECK(ts > last);
    last = ts;
  }
  std::size_t seen = 0;
  std::string query;
  for (auto batch = f.list("/conversation/" + sid + "/messages"); !batch.empty();
       batch = f.list("/conversation/" + sid + "/messages" + query)) {
    seen += batch.size();
    query = "?timestamp_before=" + std::to_string(batch.front().at("timestamp").to_number<std::int64_t>());
  }
  CHECK(seen >= 46);
}
