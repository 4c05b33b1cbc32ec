// SPDX-License-Identifier: MIT
// weft::server against an in-process server on loopback: the LangGraph API's routes, shapes,
// status codes and bad input.

#include "support.hpp"

#include "server/detail/catalog.hpp"

#include <doctest/doctest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <filesystem>
#include <random>
#include <thread>

namespace json = boost::json;
using server_test::parse_sse;
using server_test::TestServer;

namespace {

std::string detail_of(const server_test::Reply& r) {
  if (!r.json.is_object() || !r.json.as_object().contains("detail")) return "<no detail: " + r.body + ">";
  return std::string(r.json.at("detail").as_string());
}

std::string new_thread(TestServer& s, const char* graph = "steps") {
  auto r = s.post("/threads", json::object{{"metadata", json::object{{"graph_id", graph}}}});
  REQUIRE(r.status == 200);
  return std::string(r.json.at("thread_id").as_string());
}

std::int64_t count_threads(TestServer& s) { return s.post("/threads/count", json::object()).json.as_int64(); }

// Starts a stream on a raw connection, reads up to its first event, and hangs up.
void stream_and_hang_up(std::uint16_t port, const std::string& path, const json::object& body) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  const std::string text = json::serialize(body);
  const std::string request = "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
                              "Content-Length: " + std::to_string(text.size()) + "\r\n\r\n" + text;
  boost::asio::write(socket, boost::asio::buffer(request));
  std::string got;
  char buffer[512];
  while (got.find("event: metadata") == std::string::npos) {
    const std::size_t n = socket.read_some(boost::asio::buffer(buffer));
    got.append(buffer, n);
  }
  socket.close();
}

// The status of the thread's only run once it has ended (waits for it, polling).
std::string final_run_status(TestServer& s, const std::string& thread_id) {
  for (int i = 0; i < 2000; ++i) {
    auto runs = s.get("/threads/" + thread_id + "/runs");
    REQUIRE(runs.json.as_array().size() == 1);
    std::string status(runs.json.as_array()[0].at("status").as_string());
    if (status != "pending" && status != "running") return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return "still running";
}

}  // namespace

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

TEST_CASE("GET /ok answers without a key and every other route needs the key") {
  weft::server::ServerOptions options;
  options.api_key = "s3cret-key";
  TestServer s(options);
  CHECK(s.get("/ok").status == 200);
  auto none = s.get("/info");
  CHECK(none.status == 401);
  CHECK(detail_of(none).find("API key") != std::string::npos);
  CHECK(s.get("/info", {{"x-api-key", "s3cret-kez"}}).status == 401);
  CHECK(s.get("/info", {{"x-api-key", "s3cret-key-longer"}}).status == 401);
  CHECK(s.get("/info", {{"x-api-key", "s3cret-key"}}).status == 200);
  CHECK(s.get("/info", {{"authorization", "Bearer s3cret-key"}}).status == 200);
  CHECK(s.get("/info", {{"authorization", "Bearer wrong"}}).status == 401);
  // A refused write creates nothing.
  CHECK(s.post("/threads", json::object(), {{"x-api-key", "nope"}}).status == 401);
  CHECK(s.post("/threads/count", json::object(), {{"x-api-key", "s3cret-key"}}).json == json::value(0));
}

TEST_CASE("a server without a key refuses a non-loopback address") {
  weft::server::ServerOptions options;
  options.host = "0.0.0.0";
  CHECK_THROWS_WITH_AS(TestServer{options}, doctest::Contains("without an API key"), std::invalid_argument);
}

TEST_CASE("assistants are the registered graphs, addressable by name or stable uuid") {
  TestServer s;
  auto all = s.post("/assistants/search", json::object{{"limit", 10}});
  REQUIRE(all.status == 200);
  REQUIRE(all.json.as_array().size() == 5);  // steps, review, slow, talk, visitor
  CHECK(all.json.as_array()[0].at("graph_id") == "steps");
  const std::string uuid(all.json.as_array()[0].at("assistant_id").as_string());
  CHECK(uuid.size() == 36);
  auto by_uuid = s.get("/assistants/" + uuid);
  CHECK(by_uuid.status == 200);
  CHECK(by_uuid.json.at("graph_id") == "steps");
  CHECK(s.get("/assistants/steps").json.at("assistant_id") == json::value(uuid));
  auto filtered = s.post("/assistants/search", json::object{{"graph_id", "review"}});
  CHECK(filtered.json.as_array().size() == 1);
  auto unknown = s.get("/assistants/nope");
  CHECK(unknown.status == 404);
  CHECK(detail_of(unknown) == "Assistant 'nope' not found");
  auto graph = s.get("/assistants/steps/graph");
  REQUIRE(graph.status == 200);
  CHECK(graph.json.at("nodes").as_array().size() == 4);  // __start__, first, second, __end__
  json::array edges = graph.json.at("edges").as_array();
  CHECK(edges.size() == 3);
  CHECK(std::find(edges.begin(), edges.end(),
                  json::value(json::object{{"source", "first"}, {"target", "second"}, {"conditional", false}})) !=
        edges.end());
  auto schemas = s.get("/assistants/review/schemas");
  CHECK(schemas.json.at("input_schema").at("properties").as_object().contains("word"));
  CHECK(schemas.json.at("state_schema").at("properties").as_object().contains("answer"));
}

TEST_CASE("malformed JSON and mistyped fields are 422 with a detail and create nothing") {
  TestServer s;
  auto bad = s.request("POST", "/threads", "{not json");
  CHECK(bad.status == 422);
  CHECK(detail_of(bad).find("not valid JSON") != std::string::npos);
  CHECK(s.request("POST", "/threads", "[1,2]").status == 422);
  CHECK(s.post("/threads", json::object{{"metadata", "x"}}).status == 422);
  CHECK(s.post("/threads", json::object{{"if_exists", "maybe"}}).status == 422);
  CHECK(count_threads(s) == 0);
  const std::string t = new_thread(s);
  CHECK(s.post("/threads/" + t + "/runs/wait", json::object{{"assistant_id", "steps"}, {"input", "text"}}).status ==
        422);
  CHECK(s.post("/threads/" + t + "/runs/wait",
               json::object{{"assistant_id", "steps"}, {"input", json::object{{"word", 5}}}})
            .status == 422);
  CHECK(s.post("/threads/" + t + "/runs/wait", json::object{{"assistant_id", "steps"}, {"stream_mode", "tokens"}})
            .status == 422);
  CHECK(s.post("/threads/" + t + "/runs", json::object{{"assistant_id", "steps"}, {"interrupt_before", "nowhere"}})
            .status == 422);
  CHECK(s.get("/threads/" + t + "/runs").json.as_array().empty());
  CHECK(s.get("/threads/" + t + "/state").json.at("checkpoint").at("checkpoint_id").is_null());
}

TEST_CASE("an oversized body is answered 413 and the server keeps serving") {
  weft::server::ServerOptions options;
  options.body_limit = 1024;
  TestServer s(options);
  json::object big{{"metadata", json::object{{"pad", std::string(4096, 'x')}}}};
  auto r = s.post("/threads", big);
  CHECK(r.status == 413);
  CHECK(detail_of(r).find("exceeds the limit of 1024 bytes") != std::string::npos);
  CHECK(s.get("/ok").status == 200);
  CHECK(count_threads(s) == 0);
}

TEST_CASE("a client over its connection cap is answered 429") {
  weft::server::ServerOptions options;
  options.max_connections_per_client = 1;
  TestServer s(options);
  CHECK(s.get("/ok").status == 200);  // keeps its connection open
  weft::sandbox::http::Client second("127.0.0.1", s.port());
  auto refused = second.request("GET", "/ok");
  CHECK(refused.status == 429);
  CHECK(refused.body.find("too many open connections") != std::string::npos);
  CHECK(s.get("/ok").status == 200);
}

TEST_CASE("a client that sends half a request is disconnected after the io timeout") {
  weft::server::ServerOptions options;
  options.io_timeout = std::chrono::seconds(1);
  TestServer s(options);
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), s.port()});
  boost::asio::write(socket, boost::asio::buffer(std::string("GET /ok HTTP/1.1\r\nHost: x\r\n")));
  char byte = 0;
  boost::system::error_code ec;
  const std::size_t n = socket.read_some(boost::asio::buffer(&byte, 1), ec);  // blocks until the server closes
  CHECK(n == 0);
  CHECK(ec == boost::asio::error::eof);
  CHECK(s.get("/ok").status == 200);
}

TEST_CASE("unknown routes, methods, threads and assistants are LangGraph-shaped 404/405") {
  TestServer s;
  CHECK(s.get("/nowhere").status == 404);
  CHECK(s.request("PUT", "/threads").status == 405);
  auto thread = s.get("/threads/00000000-0000-0000-0000-000000000000");
  CHECK(thread.status == 404);
  CHECK(detail_of(thread) == "Thread '00000000-0000-0000-0000-000000000000' not found");
  CHECK(s.post("/threads/missing/runs/wait", json::object{{"assistant_id", "steps"}}).status == 404);
  const std::string t = new_thread(s);
  CHECK(s.post("/threads/" + t + "/runs/wait", json::object{{"assistant_id", "ghost"}}).status == 404);
  CHECK(s.post("/threads/" + t + "/runs/wait", json::object{{"input", json::object()}}).status == 422);
  // if_not_exists=create makes the thread.
  auto created =
      s.post("/threads/fresh-one/runs/wait", json::object{{"assistant_id", "steps"}, {"if_not_exists", "create"}});
  CHECK(created.status == 200);
  CHECK(s.get("/threads/fresh-one").status == 200);
}

TEST_CASE("threads are created, found by metadata and status, patched and deleted") {
  TestServer s;
  auto a = s.post("/threads", json::object{{"thread_id", "t-a"}, {"metadata", json::object{{"team", "support"}}}});
  REQUIRE(a.status == 200);
  CHECK(a.json.at("status") == "idle");
  CHECK(a.json.at("metadata").at("team") == "support");
  auto again = s.post("/threads", json::object{{"thread_id", "t-a"}});
  CHECK(again.status == 409);
  auto kept = s.post("/threads", json::object{{"thread_id", "t-a"}, {"if_exists", "do_nothing"}});
  CHECK(kept.status == 200);
  CHECK(kept.json.at("metadata").at("team") == "support");
  s.post("/threads", json::object{{"thread_id", "t-b"}, {"metadata", json::object{{"team", "sales"}}}});
  auto found = s.post("/threads/search", json::object{{"metadata", json::object{{"team", "sales"}}}});
  REQUIRE(found.json.as_array().size() == 1);
  CHECK(found.json.as_array()[0].at("thread_id") == "t-b");
  auto patched = s.request("PATCH", "/threads/t-b", R"({"metadata":{"tier":"gold"}})");
  CHECK(patched.json.at("metadata").at("tier") == "gold");
  CHECK(patched.json.at("metadata").at("team") == "sales");
  CHECK(s.request("DELETE", "/threads/t-b").status == 204);
  CHECK(s.get("/threads/t-b").status == 404);
  CHECK(s.post("/threads/search", json::object{{"status", "idle"}}).json.as_array().size() == 1);
}

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

TEST_CASE("runs left unfinished by a stop are resumed by the next server on the database") {
  std::string folder;
  std::string thread_id;
  std::string run_id;
  std::random_device rd;
  folder = (std::filesystem::temp_directory_path() / ("weft-server-restart-" + std::to_string(rd()))).string();
  std::filesystem::create_directories(folder);
  {
    weft::server::ServerOptions options;
    options.workers = 1;
    TestServer s(options, folder);
    thread_id = new_thread(s, "slow");
    auto running = s.post("/threads/" + thread_id + "/runs",
                          json::object{{"assistant_id", "slow"}, {"input", json::object{{"ms", 3000}}}});
    auto queued = s.post(
        "/threads/" + thread_id + "/runs",
        json::object{{"assistant_id", "slow"}, {"input", json::object{{"ms", 1}}}, {"multitask_strategy", "enqueue"}});
    run_id = std::string(queued.json.at("run_id").as_string());
    s.stop();
  }
  {
    TestServer s({}, folder);
    auto joined = s.get("/threads/" + thread_id + "/runs/" + run_id + "/join");
    REQUIRE(joined.status == 200);
    CHECK(joined.json.at("log") == json::array{"waited", "waited"});
    auto runs = s.get("/threads/" + thread_id + "/runs");
    for (const auto& r : runs.json.as_array()) CHECK(r.at("status") == "success");
  }
  std::error_code ec;
  std::filesystem::remove_all(folder, ec);
}

TEST_CASE(
    "a run killed before its first checkpoint keeps its resume command and the next server answers the interrupt with "
    "it") {
  std::random_device rd;
  const std::string folder =
      (std::filesystem::temp_directory_path() / ("weft-server-killed-" + std::to_string(rd()))).string();
  std::filesystem::create_directories(folder);
  std::string thread_id;
  {
    TestServer s({}, folder);
    thread_id = new_thread(s, "review");
    REQUIRE(s.post("/threads/" + thread_id + "/runs/wait", json::object{{"assistant_id", "review"}})
                .json.as_object()
                .contains("__interrupt__"));
    s.stop();
  }
  {
    // What a server killed (SIGKILL) right after it started an approval leaves in its catalog: the
    // run "running", no checkpoint of it yet (tests/cli/serve_crash_test.cpp kills a real one later).
    weft::server::detail::Catalog catalog(folder + "/weft.db");
    weft::server::detail::RunRow row;
    row.run_id = "killed-run";
    row.thread_id = thread_id;
    row.assistant_id = row.graph_id = "review";
    row.status = "running";
    row.kwargs = json::object{{"command", json::object{{"resume", "late yes"}}},
                              {"stream_mode", json::array{"values"}},
                              {"on_disconnect", "continue"}};
    row.multitask_strategy = "reject";
    catalog.put_run(row);
  }
  {
    TestServer s({}, folder);
    auto joined = s.get("/threads/" + thread_id + "/runs/killed-run/join");
    REQUIRE(joined.status == 200);
    INFO(joined.body);
    CHECK(joined.json.at("answer") == "late yes");
    CHECK(s.get("/threads/" + thread_id + "/runs/killed-run").json.at("status") == "success");
  }
  std::error_code ec;
  std::filesystem::remove_all(folder, ec);
}
