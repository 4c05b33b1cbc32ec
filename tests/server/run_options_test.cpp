// SPDX-License-Identifier: MIT
// The run request's options beyond input (command goto/update, interrupt_before/after,
// if_not_exists, the token stream in both messages modes), thread copy, and the --workers limit.

#include "support.hpp"

#include <doctest/doctest.h>

#include <boost/json/parse.hpp>

#include <algorithm>
#include <string>
#include <vector>

namespace json = boost::json;
using server_test::new_thread;
using server_test::parse_sse;
using server_test::TestServer;

namespace {

std::vector<server_test::SseEvent> named(const std::vector<server_test::SseEvent>& events, const std::string& name) {
  std::vector<server_test::SseEvent> out;
  for (const auto& e : events)
    if (e.event == name) out.push_back(e);
  return out;
}

}  // namespace

TEST_CASE("messages-tuple streams each token as an AIMessageChunk with its node's metadata") {
  TestServer s;
  const std::string t = new_thread(s, "talk");
  auto r = s.post("/threads/" + t + "/runs/stream",
                  json::object{{"assistant_id", "talk"}, {"stream_mode", json::array{"messages-tuple", "values"}}});
  REQUIRE(r.status == 200);
  INFO(r.body);
  auto events = parse_sse(r.body);
  auto chunks = named(events, "messages");
  REQUIRE(chunks.size() == 3);
  std::string text;
  std::string id;
  for (const auto& e : chunks) {
    json::value tuple = json::parse(e.data);
    const json::object& message = tuple.as_array().at(0).as_object();
    const json::object& meta = tuple.as_array().at(1).as_object();
    CHECK(message.at("type") == "AIMessageChunk");
    if (id.empty()) id = std::string(message.at("id").as_string());
    CHECK(message.at("id") == json::value(id));
    CHECK(meta.at("langgraph_node") == "speak");
    CHECK(meta.at("thread_id") == json::value(t));
    text += std::string(message.at("content").as_string());
  }
  CHECK(text == "Hello, world");
  CHECK(named(events, "updates").empty());  // used inside, not asked for
  CHECK(events.back().event == "values");
  CHECK(json::parse(events.back().data).at("reply") == "Hello, world");
}

TEST_CASE("messages mode sends metadata, growing partials and the complete message") {
  TestServer s;
  const std::string t = new_thread(s, "talk");
  auto r = s.post("/threads/" + t + "/runs/stream",
                  json::object{{"assistant_id", "talk"}, {"stream_mode", json::array{"messages", "updates"}}});
  REQUIRE(r.status == 200);
  INFO(r.body);
  auto events = parse_sse(r.body);
  std::vector<std::string> order;
  for (const auto& e : events) order.push_back(e.event);
  const std::vector<std::string> expected = {
      "metadata",         "messages/metadata", "messages/partial", "messages/partial",
      "messages/partial", "messages/complete", "updates",          "updates"};
  CHECK(order == expected);
  auto partials = named(events, "messages/partial");
  REQUIRE(partials.size() == 3);
  CHECK(json::parse(partials[0].data).as_array()[0].at("content") == "Hel");
  CHECK(json::parse(partials[2].data).as_array()[0].at("content") == "Hello, world");
  auto complete = json::parse(named(events, "messages/complete").at(0).data).as_array()[0];
  CHECK(complete.at("type") == "ai");
  CHECK(complete.at("content") == "Hello, world");
  auto announced = json::parse(named(events, "messages/metadata").at(0).data).as_object();
  CHECK(announced.contains(complete.at("id").as_string()));
  // Joining the finished run's stream with stream_mode=messages keeps the three kinds.
  auto runs = s.get("/threads/" + t + "/runs");
  const std::string run_id(runs.json.as_array()[0].at("run_id").as_string());
  auto joined = parse_sse(s.get("/threads/" + t + "/runs/" + run_id + "/stream?stream_mode=messages").body);
  CHECK(joined.size() == 6);  // metadata + the five messages events
}

TEST_CASE("a command with goto and update runs the named node on the updated state") {
  TestServer s;
  const std::string t = new_thread(s, "steps");
  REQUIRE(s.post("/threads/" + t + "/runs/wait", json::object{{"assistant_id", "steps"}}).status == 200);
  auto r =
      s.post("/threads/" + t + "/runs/wait",
             json::object{{"assistant_id", "steps"},
                          {"command", json::object{{"goto", "second"}, {"update", json::object{{"log", "by hand"}}}}}});
  REQUIRE(r.status == 200);
  INFO(r.body);
  CHECK(r.json.at("log") == json::array{"first", "second", "by hand", "second"});
  CHECK(s.post("/threads/" + t + "/runs/wait",
               json::object{{"assistant_id", "steps"}, {"command", json::object{{"goto", json::array{1}}}}})
            .status == 422);
}

TEST_CASE("interrupt_before and interrupt_after stop the run at the named node and a null input continues") {
  TestServer s;
  const std::string t = new_thread(s, "steps");
  auto before = s.post("/threads/" + t + "/runs/wait",
                       json::object{{"assistant_id", "steps"}, {"interrupt_before", json::array{"second"}}});
  REQUIRE(before.status == 200);
  CHECK(before.json.at("log") == json::array{"first"});
  CHECK(s.get("/threads/" + t + "/state").json.at("next") == json::array{"second"});
  CHECK(s.get("/threads/" + t).json.at("status") == "interrupted");
  auto rest = s.post("/threads/" + t + "/runs/wait", json::object{{"assistant_id", "steps"}, {"input", nullptr}});
  REQUIRE(rest.status == 200);
  CHECK(rest.json.at("log") == json::array{"first", "second"});

  const std::string u = new_thread(s, "steps");
  auto after = s.post("/threads/" + u + "/runs/wait",
                      json::object{{"assistant_id", "steps"}, {"interrupt_after", json::array{"first"}}});
  CHECK(after.json.at("log") == json::array{"first"});
  CHECK(s.get("/threads/" + u + "/state").json.at("next") == json::array{"second"});
  CHECK(s.post("/threads/" + u + "/runs/wait",
               json::object{{"assistant_id", "steps"}, {"interrupt_before", json::array{"nope"}}})
            .status == 422);
}

TEST_CASE(
    "if_not_exists create makes the thread and the default rejects an unknown thread with 404 and creates nothing") {
  TestServer s;
  auto refused = s.post("/threads/fresh-thread/runs/wait", json::object{{"assistant_id", "steps"}});
  CHECK(refused.status == 404);
  CHECK(s.get("/threads/fresh-thread").status == 404);
  auto created =
      s.post("/threads/fresh-thread/runs/wait", json::object{{"assistant_id", "steps"}, {"if_not_exists", "create"}});
  REQUIRE(created.status == 200);
  CHECK(created.json.at("log") == json::array{"first", "second"});
  auto thread = s.get("/threads/fresh-thread");
  CHECK(thread.status == 200);
  CHECK(thread.json.at("metadata").at("graph_id") == "steps");
}

TEST_CASE("a copied thread has the same checkpoints and runs on its own while the original is unchanged") {
  TestServer s;
  const std::string t = new_thread(s, "steps");
  REQUIRE(s.post("/threads/" + t + "/runs/wait", json::object{{"assistant_id", "steps"}}).status == 200);
  auto copy = s.post("/threads/" + t + "/copy", json::object());
  REQUIRE(copy.status == 200);
  const std::string c(copy.json.at("thread_id").as_string());
  CHECK(c != t);
  CHECK(copy.json.at("status") == "idle");
  CHECK(copy.json.at("metadata").at("graph_id") == "steps");
  auto original_history = s.post("/threads/" + t + "/history", json::object{{"limit", 100}}).json.as_array();
  auto copied_history = s.post("/threads/" + c + "/history", json::object{{"limit", 100}}).json.as_array();
  REQUIRE(original_history.size() >= 3);
  REQUIRE(copied_history.size() == original_history.size());
  for (std::size_t i = 0; i < copied_history.size(); ++i) {
    CHECK(copied_history[i].at("values") == original_history[i].at("values"));
    CHECK(copied_history[i].at("next") == original_history[i].at("next"));
    CHECK(copied_history[i].at("checkpoint").at("checkpoint_id") ==
          original_history[i].at("checkpoint").at("checkpoint_id"));
  }
  // A run on the copy continues the copy only.
  auto more =
      s.post("/threads/" + c + "/runs/wait", json::object{{"assistant_id", "steps"}, {"input", json::object()}});
  REQUIRE(more.status == 200);
  CHECK(more.json.at("log") == json::array{"first", "second", "first", "second"});
  CHECK(s.get("/threads/" + t + "/state").json.at("values").at("log") == json::array{"first", "second"});
  // A thread waiting at an interrupt is copied with its interrupt.
  const std::string r = new_thread(s, "review");
  REQUIRE(s.post("/threads/" + r + "/runs/wait", json::object{{"assistant_id", "review"}}).status == 200);
  auto waiting = s.post("/threads/" + r + "/copy", json::object());
  REQUIRE(waiting.status == 200);
  CHECK(waiting.json.at("status") == "interrupted");
  auto state = s.get("/threads/" + std::string(waiting.json.at("thread_id").as_string()) + "/state").json;
  CHECK(state.at("next") == json::array{"ask"});
  CHECK(state.at("tasks").as_array().at(0).at("interrupts").as_array().size() == 1);
  CHECK(s.post("/threads/no-such-thread/copy", json::object()).status == 404);
}

TEST_CASE("a copy of a thread waiting at an interrupt takes the resume answer as its source would") {
  // Regression: task ids are thread-scoped, so the copy's pending interrupt, kept under the
  // source's task id, matched no task of the copy; resuming re-ran the node and asked again.
  TestServer s;
  const std::string source = new_thread(s, "review");
  REQUIRE(s.post("/threads/" + source + "/runs/wait", json::object{{"assistant_id", "review"}}).status == 200);
  auto copied = s.post("/threads/" + source + "/copy", json::object());
  REQUIRE(copied.status == 200);
  const std::string copy(copied.json.at("thread_id").as_string());
  const json::value source_state = s.get("/threads/" + source + "/state").json;
  const json::value copy_state = s.get("/threads/" + copy + "/state").json;
  const json::value& source_interrupt = source_state.at("tasks").at(0).at("interrupts").at(0);
  const json::value& copy_interrupt = copy_state.at("tasks").at(0).at("interrupts").at(0);
  CHECK(copy_interrupt.at("value") == source_interrupt.at("value"));
  CHECK(copy_interrupt.at("id") != source_interrupt.at("id"));  // ids stay thread-scoped

  auto resumed = s.post("/threads/" + copy + "/runs/wait",
                        json::object{{"assistant_id", "review"}, {"command", json::object{{"resume", "yes"}}}});
  REQUIRE(resumed.status == 200);
  INFO(resumed.body);
  CHECK(resumed.json.at("answer") == "yes");
  CHECK_FALSE(resumed.json.as_object().contains("__interrupt__"));
  CHECK(s.get("/threads/" + copy + "/state").json.at("next") == json::array());
  CHECK(s.get("/threads/" + copy).json.at("status") == "idle");

  // The source still waits at its own interrupt.
  CHECK(s.get("/threads/" + source).json.at("status") == "interrupted");
  CHECK(s.get("/threads/" + source + "/state").json.at("tasks").at(0).at("interrupts").at(0).at("id") ==
        source_interrupt.at("id"));

  // A second copy is answered by its own interrupt id.
  auto again = s.post("/threads/" + source + "/copy", json::object());
  REQUIRE(again.status == 200);
  const std::string second(again.json.at("thread_id").as_string());
  const json::value second_state = s.get("/threads/" + second + "/state").json;
  const std::string second_id(second_state.at("tasks").at(0).at("interrupts").at(0).at("id").as_string());
  auto by_id = s.post("/threads/" + second + "/runs/wait",
                      json::object{{"assistant_id", "review"},
                                   {"command", json::object{{"resume", json::object{{second_id, "by id"}}}}}});
  REQUIRE(by_id.status == 200);
  CHECK(by_id.json.at("answer") == "by id");
}

TEST_CASE("with one worker a second run on another thread waits pending until the first ends") {
  weft::server::ServerOptions options;
  options.workers = 1;
  TestServer s(options);
  const std::string a = new_thread(s, "slow");
  const std::string b = new_thread(s, "slow");
  auto first =
      s.post("/threads/" + a + "/runs", json::object{{"assistant_id", "slow"}, {"input", json::object{{"ms", 1500}}}});
  auto second =
      s.post("/threads/" + b + "/runs", json::object{{"assistant_id", "slow"}, {"input", json::object{{"ms", 1}}}});
  REQUIRE(first.status == 200);
  REQUIRE(second.status == 200);
  const std::string first_id(first.json.at("run_id").as_string());
  const std::string second_id(second.json.at("run_id").as_string());
  CHECK(s.get("/threads/" + b + "/runs/" + second_id).json.at("status") == "pending");
  auto joined = s.get("/threads/" + b + "/runs/" + second_id + "/join");
  CHECK(joined.json.at("log") == json::array{"waited"});
  // The second could only start once the first had ended.
  CHECK(s.get("/threads/" + a + "/runs/" + first_id).json.at("status") == "success");
}
