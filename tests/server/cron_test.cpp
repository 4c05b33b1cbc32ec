// SPDX-License-Identifier: MIT
// Crons: the schedule grammar, and runs fired by the scheduler on an injected clock.

#include "server/detail/cron_schedule.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <boost/json/serialize.hpp>

#include <chrono>
#include <thread>

namespace json = boost::json;
using weft::server::detail::next_fire_ms;
using weft::server::detail::parse_cron;

namespace {

// 2026-12-02T10:07:30Z, a Wednesday.
constexpr std::int64_t kWednesday = 1796206050000;

std::int64_t at(int day, int hour, int minute) {  // December 2026, UTC
  return 1796083200000 + ((day - 1) * 24LL * 60 + hour * 60LL + minute) * 60'000;
}

}  // namespace

TEST_CASE("cron schedules fire at the next matching minute, in UTC") {
  REQUIRE(at(2, 10, 7) + 30'000 == kWednesday);
  CHECK(next_fire_ms(parse_cron("* * * * *"), kWednesday) == at(2, 10, 8));
  CHECK(next_fire_ms(parse_cron("*/10 * * * *"), kWednesday) == at(2, 10, 10));
  CHECK(next_fire_ms(parse_cron("0 9 * * *"), kWednesday) == at(3, 9, 0));
  CHECK(next_fire_ms(parse_cron("30 8 * * 1-5"), at(4, 9, 0)) == at(7, 8, 30));  // Friday -> Monday
  CHECK(next_fire_ms(parse_cron("0 0 1 1 *"), kWednesday) == 1798761600000);     // 2027-01-01
  CHECK(next_fire_ms(parse_cron("15,45 * * * 0"), kWednesday) == at(6, 0, 15));  // Sunday
  CHECK(next_fire_ms(parse_cron("0 0 31 2 *"), kWednesday) == -1);
}

TEST_CASE("a bad cron schedule names the field") {
  CHECK_THROWS_WITH_AS(parse_cron("61 * * * *"), doctest::Contains("minute field '61'"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(parse_cron("* * *"), doctest::Contains("5 fields"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(parse_cron("*/0 * * * *"), doctest::Contains("minute"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(parse_cron("* 5-2 * * *"), doctest::Contains("hour"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(parse_cron("* * * x *"), doctest::Contains("month"), std::invalid_argument);
}

TEST_CASE("a cron on a thread runs when its time comes and is deleted through the API") {
  auto clock = std::make_shared<weft::ManualClock>();
  weft::server::ServerOptions options;
  options.cron_poll = std::chrono::milliseconds(10);
  server_test::TestServer s(options, {}, clock);
  auto thread = s.post("/threads", json::object{{"metadata", json::object{{"graph_id", "steps"}}}});
  const std::string t(thread.json.at("thread_id").as_string());

  CHECK(s.post("/threads/" + t + "/runs/crons", json::object{{"assistant_id", "steps"}, {"schedule", "61 * * * *"}})
            .status == 422);
  CHECK(s.post("/threads/" + t + "/runs/crons",
               json::object{{"assistant_id", "steps"}, {"schedule", "* * * * *"}, {"input", json::object{{"word", 1}}}})
            .status == 422);
  CHECK(s.post("/threads/missing/runs/crons", json::object{{"assistant_id", "steps"}, {"schedule", "* * * * *"}})
            .status == 404);
  CHECK(s.post("/runs/crons/count", json::object()).json == json::value(0));

  auto cron = s.post(
      "/threads/" + t + "/runs/crons",
      json::object{{"assistant_id", "steps"}, {"schedule", "*/10 * * * *"}, {"input", json::object{{"word", "tick"}}}});
  REQUIRE(cron.status == 200);
  CHECK(cron.json.at("thread_id") == json::value(t));
  CHECK(!cron.json.at("next_run_date").is_null());
  const std::string id(cron.json.at("cron_id").as_string());
  CHECK(s.get("/threads/" + t + "/runs").json.as_array().empty());

  clock->advance(std::chrono::minutes(10));
  json::array runs;
  for (int i = 0; i < 500 && runs.empty(); ++i) {  // waits for the poll, not for a duration
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    runs = s.get("/threads/" + t + "/runs").json.as_array();
  }
  REQUIRE(runs.size() == 1);
  const std::string run_id(runs[0].at("run_id").as_string());
  auto joined = s.get("/threads/" + t + "/runs/" + run_id + "/join");
  CHECK(joined.json.at("input").at("word") == "tick");
  CHECK(runs[0].at("metadata").at("cron_id") == json::value(id));

  auto found = s.post("/runs/crons/search", json::object{{"thread_id", t}});
  REQUIRE(found.json.as_array().size() == 1);
  CHECK(s.request("DELETE", "/runs/crons/" + id).status == 204);
  CHECK(s.request("DELETE", "/runs/crons/" + id).status == 404);
  clock->advance(std::chrono::minutes(10));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(s.get("/threads/" + t + "/runs").json.as_array().size() == 1);
}

TEST_CASE("crons are kept in the database across a restart") {
  auto clock = std::make_shared<weft::ManualClock>();
  std::string folder;
  {
    server_test::TestServer s({}, {}, clock);
    folder = s.folder();
    auto cron = s.post("/runs/crons", json::object{{"assistant_id", "steps"}, {"schedule", "0 * * * *"}});
    REQUIRE(cron.status == 200);
    CHECK(cron.json.at("thread_id").is_null());
    s.keep_folder();
  }
  server_test::TestServer again({}, folder, clock);
  auto found = again.post("/runs/crons/search", json::object{{"assistant_id", "steps"}});
  CHECK(found.json.as_array().size() == 1);
  again.remove_folder_at_end();
}
