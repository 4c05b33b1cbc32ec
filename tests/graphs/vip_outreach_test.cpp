// SPDX-License-Identifier: MIT
// vip_outreach end to end: durable timer on a manual clock, selection, approval, exactly-once send.

#include "nodes/model/offline_model.hpp"
#include "tests/graphs/world.hpp"

#include <boost/json/parse.hpp>
#include <doctest/doctest.h>

#include <chrono>
#include <stdexcept>

namespace json = boost::json;
using weft::RunStatus;
using weft::test::World;

TEST_CASE("vip_outreach waits between observations and greets each selected visitor exactly once") {
  World world(std::make_shared<weft::OfflineModel>());
  auto result =
      world.run("vip_outreach",
                json::parse(R"({"require_approval":false,"max_greetings":2,"min_seconds_on_pricing":90})"), "vip-1");
  REQUIRE_MESSAGE(result.status == RunStatus::done, (result.error ? result.error->message : ""));
  // The durable timer slept on the run's clock for the configured interval.
  bool slept = false;
  for (auto d : world.clock()->sleeps()) slept = slept || d == std::chrono::milliseconds(90'000);
  CHECK(slept);
  const auto& outcomes = result.values.at("outcomes").as_array();
  REQUIRE_FALSE(outcomes.empty());
  CHECK(outcomes.size() <= 2);
  for (const auto& o : outcomes) {
    CHECK(o.at("seconds_on_pricing").as_int64() >= 90);
    std::string domain(o.at("domain").as_string());
    CHECK(domain != "gmail.com");
  }
  CHECK(world.count_writes("POST", "/conversation") == outcomes.size());
  CHECK(world.count_writes("POST", "/message") == outcomes.size());
  CHECK(world.count_writes("PATCH", "/meta") == outcomes.size());
  CHECK(std::string(result.values.at("summary").as_string()).find("greeted " + std::to_string(outcomes.size())) !=
        std::string::npos);
}

TEST_CASE("vip_outreach asks before each greeting and honours approve, edit and skip") {
  World world(std::make_shared<weft::OfflineModel>());
  auto first = world.run("vip_outreach", json::parse(R"({"max_greetings":3,"min_seconds_on_pricing":60})"), "vip-2");
  REQUIRE_MESSAGE(first.status == RunStatus::interrupted, (first.error ? first.error->message : ""));
  REQUIRE(first.interrupts.size() == 1);
  CHECK_FALSE(first.interrupts[0].value.at("subject").at("greeting").as_string().empty());
  CHECK(world.count_writes("POST", "/message") == 0);

  auto second = world.resume("vip_outreach", "vip-2", json::parse(R"({"action":"skip"})"));
  CHECK(world.count_writes("POST", "/message") == 0);
  if (second.status == RunStatus::interrupted) {
    auto third =
        world.resume("vip_outreach", "vip-2", json::parse(R"({"action":"edit","text":"Hello from a human!"})"));
    CHECK(world.count_writes("POST", "/message") == 1);
    bool edited = false;
    for (const auto& w : world.writes()) {
      if (w.at("path").as_string().ends_with("/message")) edited = w.at("body").at("content") == "Hello from a human!";
    }
    CHECK(edited);
    while (third.status == RunStatus::interrupted) {
      third = world.resume("vip_outreach", "vip-2", json::parse(R"({"action":"approve"})"));
    }
    REQUIRE(third.status == RunStatus::done);
    const auto& outcomes = third.values.at("outcomes").as_array();
    CHECK(outcomes[0].at("decision") == "skip");
    CHECK(outcomes[1].at("decision") == "edit");
    CHECK(world.count_writes("POST", "/message") == outcomes.size() - 1);
  } else {
    REQUIRE(second.status == RunStatus::done);
  }
}

namespace {

// A process that dies while waiting: now() is fixed, sleep() fails.
class DyingClock final : public weft::Clock {
 public:
  explicit DyingClock(time_point now) : now_(now) {}
  time_point now() const override { return now_; }
  std::chrono::steady_clock::time_point steady_now() const override { return {}; }
  boost::asio::awaitable<void> sleep_for(std::chrono::nanoseconds) override {
    throw std::runtime_error("the process died while waiting");
    co_return;
  }

 private:
  time_point now_;
};

}  // namespace

TEST_CASE("vip_outreach's timer is durable: after a restart it waits only for the time that is left") {
  World world(std::make_shared<weft::OfflineModel>());
  const weft::Clock::time_point start(std::chrono::milliseconds(1'800'000'000'000));
  world.set_clock(std::make_shared<DyingClock>(start));
  auto first =
      world.run("vip_outreach", json::parse(R"({"require_approval":false,"min_seconds_on_pricing":120})"), "vip-timer");
  REQUIRE(first.status == RunStatus::failed);
  CHECK(first.error->message.find("died while waiting") != std::string::npos);

  // The restarted process comes back 50 s later: 70 s of the 120 s wait remain.
  auto later = std::make_shared<weft::ManualClock>(start + std::chrono::seconds(50));
  world.set_clock(later);
  auto done = world.continue_run("vip_outreach", "vip-timer");
  REQUIRE_MESSAGE(done.status == RunStatus::done, (done.error ? done.error->message : ""));
  REQUIRE(later->sleeps().size() == 1);
  CHECK(later->sleeps()[0] == std::chrono::milliseconds(70'000));
  CHECK(done.values.at("waited_until_ms").to_number<std::int64_t>() ==
        std::chrono::duration_cast<std::chrono::milliseconds>((start + std::chrono::seconds(120)).time_since_epoch())
            .count());
}
