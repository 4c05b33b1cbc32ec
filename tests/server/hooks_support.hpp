// SPDX-License-Identifier: MIT
#pragma once
// The Crisp web hook tests' shared setup: a server configured for one website's hooks, signed
// and unsigned event bodies, and readers of what the server stored and ran.

#include "server/detail/hook_event.hpp"
#include "server/detail/hook_routing.hpp"
#include "server/detail/hook_signature.hpp"
#include "sandbox/crisp/sandbox.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

namespace json = boost::json;
using namespace weft::server::detail;
using server_test::count_threads;
using server_test::TestServer;

namespace hooks_test {

constexpr const char* kWebsite = "8c842203-7ed8-4e29-a608-7cf78a7d2fcc";
constexpr const char* kSession = "session_700c65e1-85e2-465a-b9ac-ecb5ec2c9881";
constexpr const char* kOtherSession = "session_11111111-2222-4333-8444-555555555555";
constexpr const char* kSecret = "s3cret";
constexpr const char* kRouting = "on message:send from=user run visitor\n";

inline std::string message_body(const std::string& session, std::int64_t fingerprint,
                                const std::string& content = "Hello") {
  json::object data{{"website_id", kWebsite},
                    {"session_id", session},
                    {"type", "text"},
                    {"from", "user"},
                    {"content", content},
                    {"fingerprint", fingerprint},
                    {"timestamp", 1700000000000}};
  return json::serialize(
      json::object{{"website_id", kWebsite}, {"event", "message:send"}, {"data", data}, {"timestamp", 1700000000000}});
}

inline std::string now_ms_text() {
  return std::to_string(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

inline weft::sandbox::http::Fields signed_headers(const std::string& body, const std::string& secret = kSecret,
                                                  std::string stamp = {}) {
  if (stamp.empty()) stamp = now_ms_text();
  return {{"X-Crisp-Request-Timestamp", stamp},
          {"X-Crisp-Signature", crisp_hook_signature(secret, stamp, body)},
          {"Content-Type", "application/json"}};
}

inline weft::server::ServerOptions hook_options(std::string secret = kSecret, std::string key = {}) {
  weft::server::ServerOptions o;
  o.crisp_hooks.secret = std::move(secret);
  o.crisp_hooks.key = std::move(key);
  o.crisp_hooks.website_ids = {kWebsite};
  o.crisp_hooks.routing = kRouting;
  return o;
}

inline std::int64_t stored_events(const TestServer& s) {
  SQLite::Database db(s.folder() + "/weft.db", SQLite::OPEN_READONLY);
  SQLite::Statement q(db, "SELECT COUNT(*) FROM server_hook_events");
  q.executeStep();
  return q.getColumn(0).getInt64();
}

// The runs of a thread once none is pending or running, oldest first.
inline json::array settled_runs(TestServer& s, const std::string& thread_id) {
  for (int i = 0; i < 2000; ++i) {
    auto r = s.get("/threads/" + thread_id + "/runs?limit=100");
    if (r.status == 200 && r.json.is_array()) {
      bool settled = true;
      for (const auto& run : r.json.as_array()) {
        const auto& status = run.at("status").as_string();
        settled = settled && status != "pending" && status != "running";
      }
      if (settled && !r.json.as_array().empty()) {
        json::array runs = r.json.as_array();
        std::reverse(runs.begin(), runs.end());
        return runs;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  FAIL("the runs of " << thread_id << " did not settle");
  return {};
}

}  // namespace hooks_test
