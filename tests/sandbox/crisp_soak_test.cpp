// SPDX-License-Identifier: MIT
// Concurrency: several clients writing and reading at once on a two-thread server keep the state
// consistent (every send stored once, every write logged once).

#include <atomic>
#include <thread>

#include "tests/sandbox/crisp_fixture.hpp"

using namespace crisp_test;

TEST_SUITE("soak") {
  TEST_CASE("concurrent senders on a two-thread server each get every message stored and logged exactly once") {
    auto options = test_options();
    options.threads = 2;
    Fixture f(options);
    constexpr int kClients = 4;
    constexpr int kMessages = 50;
    std::vector<std::string> sessions;
    for (int i = 0; i < kClients; ++i)
      sessions.emplace_back(f.call("POST", "/conversation", "{}").data().at("session_id").as_string());
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int c = 0; c < kClients; ++c) {
      threads.emplace_back([&, c] {
        sh::Client client("127.0.0.1", f.sandbox.port());
        const auto headers = f.auth_headers();
        const std::string base = "/v1/website/" + f.website + "/conversation/" + sessions[static_cast<std::size_t>(c)];
        for (int m = 0; m < kMessages; ++m) {
          // Every message twice with the same fingerprint: the second is a replay.
          const std::string body = R"({"type":"text","from":"operator","origin":"chat","content":"m)" +
                                   std::to_string(m) + R"(","fingerprint":)" + std::to_string(1000 + m) + "}";
          for (int k = 0; k < 2; ++k) {
            if (client.request("POST", base + "/message", body, headers).status != 200) ++failures;
          }
          if (client.request("GET", base + "/messages", {}, headers).status != 200) ++failures;
        }
      });
    }
    for (auto& t : threads) t.join();
    CHECK(failures == 0);
    for (const auto& sid : sessions) {
      std::size_t total = 0;
      std::string query;
      while (true) {
        auto batch = f.list("/conversation/" + sid + "/messages" + query);
        if (batch.empty()) break;
        total += batch.size();
        query = "?timestamp_before=" + std::to_string(batch.front().at("timestamp").to_number<std::int64_t>());
        if (batch.size() < 40) break;
      }
      CHECK(total == kMessages);
    }
    const auto effects = f.effects();
    CHECK(effects.size() == kClients + 2 * kClients * kMessages);
    int replays = 0;
    for (const auto& e : effects) replays += e.at("replayed").as_bool() ? 1 : 0;
    CHECK(replays == kClients * kMessages);
  }
}
