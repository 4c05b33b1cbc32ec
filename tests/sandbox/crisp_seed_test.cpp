// SPDX-License-Identifier: MIT
// The seeded world holds what the built-in workflows need to find.

#include "tests/sandbox/crisp_fixture.hpp"

using namespace crisp_test;

namespace {
std::vector<json::object> all_conversations(Fixture& f) {
  std::vector<json::object> out;
  for (int p = 1;; ++p) {
    auto r = f.call("GET", "/conversations/" + std::to_string(p) + "?per_page=50");
    if (r.data().as_array().empty()) break;
    for (const auto& c : r.data().as_array()) out.push_back(c.as_object());
  }
  return out;
}
bool has(const json::object& c, std::string_view text) {
  return std::string(c.at("last_message").as_string()).find(text) != std::string::npos;
}
}  // namespace

TEST_CASE(
    "the seeded conversations include spam, bug reports, sales questions, resolved cases, unread ones and a prompt "
    "injection") {
  Fixture f;
  const auto convs = all_conversations(f);
  int spam = 0, bugs = 0, sales = 0, resolved = 0, unread = 0, injection = 0;
  for (const auto& c : convs) {
    const auto& segments = c.at("meta").at("segments").as_array();
    spam += has(c, "http://") && segments.empty() ? 1 : 0;
    bugs += std::find(segments.begin(), segments.end(), json::value("bug")) != segments.end() ? 1 : 0;
    sales += std::find(segments.begin(), segments.end(), json::value("pricing")) != segments.end() ? 1 : 0;
    resolved += c.at("state") == "resolved" ? 1 : 0;
    unread += c.at("unread").at("operator").to_number<int>() > 0 ? 1 : 0;
    injection += has(c, "ignore your instructions") || has(c, "Ignore all previous instructions") ? 1 : 0;
  }
  CHECK(spam >= 8);
  CHECK(bugs >= 10);
  CHECK(sales >= 8);
  CHECK(resolved >= 12);
  CHECK(unread >= 10);
  CHECK(injection >= 1);
  // A resolved case carries the operator's solution.
  const auto sid = f.find_session([](const json::object& c) { return c.at("topic") == "Webhooks return 401"; });
  auto msgs = f.call("GET", "/conversation/" + sid + "/messages").data().as_array();
  bool solution = false;
  for (const auto& m : msgs)
    solution = solution || (m.at("from") == "operator" &&
                            std::string(m.at("content").as_string()).find("HMAC-SHA256") != std::string::npos);
  CHECK(solution);
}

TEST_CASE(
    "the seeded website has an Engineering inbox, operators, visitors from company and free-mail domains, people, "
    "campaigns and helpdesk locales") {
  Fixture f;
  bool engineering = false;
  for (const auto& i : f.list("/inboxes/list/1")) engineering = engineering || i.at("name") == "Engineering";
  CHECK(engineering);
  CHECK(f.call("GET", "/operators/list").data().as_array().size() >= 3);
  const auto visitors = f.call("GET", "/visitors/list/1").data().as_array();
  int free_mail = 0, company = 0, pricing = 0, docs = 0;
  for (const auto& v : visitors) {
    const std::string email(v.at("email").as_string());
    const std::string url(v.at("last_page").at("page_url").as_string());
    if (email.find("@gmail.com") != std::string::npos || email.find("@yahoo.com") != std::string::npos ||
        email.find("@outlook.com") != std::string::npos || email.find("@hotmail.com") != std::string::npos ||
        email.find("@proton.me") != std::string::npos || email.find("@icloud.com") != std::string::npos ||
        email.find("@gmx.de") != std::string::npos) {
      ++free_mail;
    } else if (!email.empty()) {
      ++company;
    }
    pricing += url.find("/pricing") != std::string::npos ? 1 : 0;
    docs += url.find("/docs") != std::string::npos ? 1 : 0;
    CHECK(v.at("duration").to_number<int>() > 0);
  }
  CHECK(free_mail >= 1);
  CHECK(company >= 3);
  CHECK(pricing >= 1);
  CHECK(docs >= 1);
  auto count = f.call("GET", "/visitors/count").data();
  CHECK(count.at("count").to_number<int>() >= static_cast<int>(visitors.size()));
  CHECK(f.call("GET", "/people/profiles/1").data().as_array().size() == 20);
  CHECK(f.call("GET", "/campaigns/list/1").data().as_array().size() >= 3);
  CHECK(f.call("GET", "/helpdesk/locales/1").data().as_array().size() == 2);
  CHECK(f.call("GET", "/conversations/spams/1").data().as_array().size() >= 3);
}
