// SPDX-License-Identifier: MIT
// weft::server's runs, on an in-process server on loopback: waited and streamed, interrupted and
// resumed, update_state, stateless runs.

#include "support.hpp"

#include <doctest/doctest.h>

#include <boost/json/parse.hpp>

#include <algorithm>

namespace json = boost::json;
using server_test::count_threads;
using server_test::detail_of;
using server_test::new_thread;
using server_test::parse_sse;
using server_test::TestServer;

TEST_CASE("a waited run returns the final values, and state and history show its checkpoints") {
  TestServer s;
  const std::string t = new_thread(s);
  auto r = s.post("/threads/" + t + "/runs/wait",
                  json::object{{"assistant_id", "steps"}, {"input", json::object{{"word", "yo"}}}});
  REQUIRE(r.status == 200);
  CHECK(r.json.at("log") == json::array{"first", "second"});
  CHECK(r.json.at("input").at("word") == "yo");
  CHECK(r.header("content-location").find("/threads/" + t + "/runs/") == 0);
  auto state = s.get("/threads/" + t + "/state");
  REQUIRE(state.status == 200);
  CHECK(state.json.at("values").at("log") == json::array{"first", "second"});
  CHECK(state.json.at("next").as_array().empty());
  const std::string latest(state.json.at("checkpoint").at("checkpoint_id").as_string());
  auto history = s.post("/threads/" + t + "/history", json::object{{"limit", 10}});
  REQUIRE(history.status == 200);
  auto& list = history.json.as_array();
  REQUIRE(list.size() >= 3);
  CHECK(list[0].at("checkpoint").at("checkpoint_id") == json::value(latest));
  CHECK(list[1].at("values").at("log") == json::array{"first"});
  const std::string older(list[1].at("checkpoint").at("checkpoint_id").as_string());
  auto at = s.get("/threads/" + t + "/state/" + older);
  CHECK(at.json.at("values").at("log") == json::array{"first"});
  CHECK(s.get("/threads/" + t + "/state/no-such-checkpoint").status == 404);
  auto thread = s.get("/threads/" + t);
  CHECK(thread.json.at("status") == "idle");
  CHECK(thread.json.at("values").at("log") == json::array{"first", "second"});
  auto runs = s.get("/threads/" + t + "/runs");
  REQUIRE(runs.json.as_array().size() == 1);
  CHECK(runs.json.as_array()[0].at("status") == "success");
  // Fork from the older checkpoint: the second node runs again on that branch.
  auto fork = s.post("/threads/" + t + "/runs/wait", json::object{{"assistant_id", "steps"}, {"checkpoint_id", older}});
  CHECK(fork.json.at("log") == json::array{"first", "second"});
}

TEST_CASE("a streamed run sends metadata, then the requested modes with increasing ids") {
  TestServer s;
  const std::string t = new_thread(s);
  auto r = s.post("/threads/" + t + "/runs/stream",
                  json::object{{"assistant_id", "steps"}, {"stream_mode", json::array{"updates", "values", "custom"}}});
  REQUIRE(r.status == 200);
  CHECK(r.header("content-type") == "text/event-stream");
  auto events = parse_sse(r.body);
  INFO(r.body);
  REQUIRE(events.size() >= 6);
  CHECK(events[0].event == "metadata");
  CHECK(json::parse(events[0].data).at("thread_id") == json::value(t));
  std::vector<std::string> names;
  for (std::size_t i = 0; i < events.size(); ++i) {
    CHECK(events[i].id == std::to_string(i + 1));
    names.push_back(events[i].event);
  }
  CHECK(std::count(names.begin(), names.end(), "updates") == 2);
  CHECK(std::count(names.begin(), names.end(), "custom") == 1);
  CHECK(events.back().event == "values");
  CHECK(json::parse(events.back().data).at("log") == json::array{"first", "second"});
  bool saw_first_update = false;
  for (const auto& e : events)
    if (e.event == "updates" && json::parse(e.data).as_object().contains("first")) saw_first_update = true;
  CHECK(saw_first_update);
}

TEST_CASE("an interrupted run is read from the state and resumed with command resume") {
  TestServer s;
  const std::string t = new_thread(s, "review");
  auto paused = s.post("/threads/" + t + "/runs/wait", json::object{{"assistant_id", "review"}});
  REQUIRE(paused.status == 200);
  REQUIRE(paused.json.at("__interrupt__").as_array().size() == 1);
  CHECK(paused.json.at("__interrupt__").as_array()[0].at("value").at("question") == "send it?");
  auto state = s.get("/threads/" + t + "/state");
  CHECK(state.json.at("next") == json::array{"ask"});
  REQUIRE(state.json.at("tasks").as_array().size() == 1);
  CHECK(state.json.at("tasks").as_array()[0].at("interrupts").as_array()[0].at("value").at("question") == "send it?");
  CHECK(s.get("/threads/" + t).json.at("status") == "interrupted");
  auto done = s.post("/threads/" + t + "/runs/wait",
                     json::object{{"assistant_id", "review"},
                                  {"command", json::object{{"resume", json::object{{"action", "approve"}}}}}});
  REQUIRE(done.status == 200);
  CHECK(done.json.at("answer").at("action") == "approve");
  CHECK(s.get("/threads/" + t).json.at("status") == "idle");
}

TEST_CASE("resuming a thread that is not waiting is a 400 and starts no run") {
  TestServer s;
  const std::string t = new_thread(s);
  s.post("/threads/" + t + "/runs/wait", json::object{{"assistant_id", "steps"}});
  auto r = s.post("/threads/" + t + "/runs/wait",
                  json::object{{"assistant_id", "steps"}, {"command", json::object{{"resume", "yes"}}}});
  CHECK(r.status == 400);
  CHECK(detail_of(r).find("not waiting for input") != std::string::npos);
  CHECK(s.get("/threads/" + t + "/runs").json.as_array().size() == 1);
  CHECK(s.post("/threads/" + t + "/runs/wait", json::object{{"assistant_id", "steps"}, {"command", json::object()}})
            .status == 422);
}

TEST_CASE("update_state as a node moves the thread on") {
  TestServer s;
  const std::string t = new_thread(s, "review");
  s.post("/threads/" + t + "/runs/wait", json::object{{"assistant_id", "review"}});
  auto r = s.post("/threads/" + t + "/state",
                  json::object{{"values", json::object{{"answer", "by hand"}}}, {"as_node", "ask"}});
  REQUIRE(r.status == 200);
  CHECK(r.json.at("checkpoint").at("thread_id") == json::value(t));
  auto state = s.get("/threads/" + t + "/state");
  CHECK(state.json.at("values").at("answer") == "by hand");
  CHECK(state.json.at("next").as_array().empty());
  CHECK(s.post("/threads/" + t + "/state", json::object{{"values", json::object{{"nope", 1}}}}).status == 422);
}

TEST_CASE("a stateless wait runs on a temporary thread that is deleted after") {
  TestServer s;
  auto r = s.post("/runs/wait", json::object{{"assistant_id", "steps"}, {"input", json::object{{"word", "x"}}}});
  REQUIRE(r.status == 200);
  CHECK(r.json.at("log") == json::array{"first", "second"});
  CHECK(count_threads(s) == 0);
  auto streamed = parse_sse(s.post("/runs/stream", json::object{{"assistant_id", "steps"}}).body);
  CHECK(streamed.front().event == "metadata");
  CHECK(streamed.back().event == "values");
  CHECK(count_threads(s) == 0);
}
