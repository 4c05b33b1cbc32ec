// SPDX-License-Identifier: MIT
// weft::server's control of runs on a busy thread, on an in-process server on loopback: the
// multitask strategies, cancel, join with Last-Event-ID, and a streaming client that hangs up.

#include "support.hpp"

#include <doctest/doctest.h>

namespace json = boost::json;
using server_test::detail_of;
using server_test::final_run_status;
using server_test::new_thread;
using server_test::parse_sse;
using server_test::stream_and_hang_up;
using server_test::TestServer;

TEST_CASE("a streaming client that hangs up cancels its run only when it asked on_disconnect cancel") {
  weft::server::ServerOptions options;
  options.stream_heartbeat = std::chrono::milliseconds(20);
  TestServer s(options);
  const std::string cancelled = new_thread(s, "slow");
  stream_and_hang_up(
      s.port(), "/threads/" + cancelled + "/runs/stream",
      json::object{{"assistant_id", "slow"}, {"input", json::object{{"ms", 3000}}}, {"on_disconnect", "cancel"}});
  CHECK(final_run_status(s, cancelled) == "interrupted");
  const std::string kept = new_thread(s, "slow");
  stream_and_hang_up(s.port(), "/threads/" + kept + "/runs/stream",
                     json::object{{"assistant_id", "slow"}, {"input", json::object{{"ms", 300}}}});
  CHECK(final_run_status(s, kept) == "success");
}

TEST_CASE("multitask reject refuses a second run with 409 and writes nothing") {
  TestServer s;
  const std::string t = new_thread(s, "slow");
  auto first =
      s.post("/threads/" + t + "/runs", json::object{{"assistant_id", "slow"}, {"input", json::object{{"ms", 400}}}});
  REQUIRE(first.status == 200);
  auto second =
      s.post("/threads/" + t + "/runs/wait", json::object{{"assistant_id", "slow"}, {"multitask_strategy", "reject"}});
  CHECK(second.status == 409);
  CHECK(detail_of(second).find("is busy with run") != std::string::npos);
  CHECK(s.get("/threads/" + t + "/runs").json.as_array().size() == 1);
  const std::string run_id(first.json.at("run_id").as_string());
  auto joined = s.get("/threads/" + t + "/runs/" + run_id + "/join");
  CHECK(joined.json.at("log") == json::array{"waited"});
}

TEST_CASE("multitask enqueue runs the second run after the first") {
  TestServer s;
  const std::string t = new_thread(s, "slow");
  s.post("/threads/" + t + "/runs", json::object{{"assistant_id", "slow"}, {"input", json::object{{"ms", 200}}}});
  auto second = s.post(
      "/threads/" + t + "/runs/wait",
      json::object{{"assistant_id", "slow"}, {"input", json::object{{"ms", 1}}}, {"multitask_strategy", "enqueue"}});
  REQUIRE(second.status == 200);
  CHECK(second.json.at("log") == json::array{"waited", "waited"});
  auto runs = s.get("/threads/" + t + "/runs").json.as_array();
  REQUIRE(runs.size() == 2);
  CHECK(runs[0].at("status") == "success");
  CHECK(runs[1].at("status") == "success");
}

TEST_CASE("multitask interrupt cancels the running run and rollback deletes it") {
  TestServer s;
  const std::string t = new_thread(s, "slow");
  auto first =
      s.post("/threads/" + t + "/runs", json::object{{"assistant_id", "slow"}, {"input", json::object{{"ms", 5000}}}});
  auto second = s.post(
      "/threads/" + t + "/runs/wait",
      json::object{{"assistant_id", "slow"}, {"input", json::object{{"ms", 1}}}, {"multitask_strategy", "interrupt"}});
  REQUIRE(second.status == 200);
  CHECK(second.json.at("log") == json::array{"waited"});
  auto old = s.get("/threads/" + t + "/runs/" + std::string(first.json.at("run_id").as_string()));
  CHECK(old.json.at("status") == "interrupted");

  auto third =
      s.post("/threads/" + t + "/runs", json::object{{"assistant_id", "slow"}, {"input", json::object{{"ms", 5000}}}});
  auto fourth = s.post(
      "/threads/" + t + "/runs/wait",
      json::object{{"assistant_id", "slow"}, {"input", json::object{{"ms", 1}}}, {"multitask_strategy", "rollback"}});
  REQUIRE(fourth.status == 200);
  CHECK(fourth.json.at("log") == json::array{"waited", "waited"});
  CHECK(s.get("/threads/" + t + "/runs/" + std::string(third.json.at("run_id").as_string())).status == 404);
  CHECK(s.get("/threads/" + t + "/runs").json.as_array().size() == 3);  // first, second, fourth
}

TEST_CASE("a background run is cancelled, and a cancel of a finished run is 409") {
  TestServer s;
  const std::string t = new_thread(s, "slow");
  auto run =
      s.post("/threads/" + t + "/runs", json::object{{"assistant_id", "slow"}, {"input", json::object{{"ms", 5000}}}});
  const std::string id(run.json.at("run_id").as_string());
  CHECK((run.json.at("status") == "pending" || run.json.at("status") == "running"));
  auto cancel = s.request("POST", "/threads/" + t + "/runs/" + id + "/cancel?wait=1&action=interrupt");
  CHECK(cancel.status == 204);
  CHECK(s.get("/threads/" + t + "/runs/" + id).json.at("status") == "interrupted");
  CHECK(s.request("POST", "/threads/" + t + "/runs/" + id + "/cancel").status == 409);
  CHECK(s.get("/threads/" + t + "/runs/no-such-run").status == 404);
}

TEST_CASE("joining a run's stream with Last-Event-ID continues after that event") {
  TestServer s;
  const std::string t = new_thread(s);
  auto run = s.post("/threads/" + t + "/runs",
                    json::object{{"assistant_id", "steps"}, {"stream_mode", json::array{"values", "updates"}}});
  const std::string id(run.json.at("run_id").as_string());
  auto full = parse_sse(s.get("/threads/" + t + "/runs/" + id + "/stream").body);
  REQUIRE(full.size() >= 4);
  auto rest = parse_sse(s.get("/threads/" + t + "/runs/" + id + "/stream", {{"Last-Event-ID", "2"}}).body);
  REQUIRE(rest.size() == full.size() - 2);
  CHECK(rest[0].id == "3");
  CHECK(rest[0].data == full[2].data);
  CHECK(rest.back().data == full.back().data);
  auto only_values = parse_sse(s.get("/threads/" + t + "/runs/" + id + "/stream?stream_mode=values").body);
  for (const auto& e : only_values) CHECK((e.event == "values" || e.event == "metadata"));
}
