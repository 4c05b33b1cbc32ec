// SPDX-License-Identifier: MIT
// weft::server after a stop or a kill: the next server on the database resumes the runs left
// unfinished and keeps an interrupted run's resume command.

#include "support.hpp"

#include "server/detail/catalog.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <random>

namespace json = boost::json;
using server_test::new_thread;
using server_test::TestServer;

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
