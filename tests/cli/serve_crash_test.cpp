// SPDX-License-Identifier: MIT
// `weft serve` killed with SIGKILL during a run: kb_enrichment, paused at its review, is approved
// through the API on a server that dies (WEFT_CRASH_AT, cli/crash_points.hpp) right after its first
// Crisp write after the approval ran but before the journal recorded it. A new `weft serve` on the
// same database resumes the run by itself; joining it gives the final values, and the Crisp
// sandbox's effect log (its own process, its state file) holds the same writes, each as often,
// as an uncrashed server's.

#include "tests/cli/serve_client.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <doctest/doctest.h>

#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <sstream>

namespace json = boost::json;
using weft::test::BackgroundProcess;
using weft::test::call_api;
using weft::test::ProcessOptions;
using weft::test::serve_port;
using weft::test::TempDir;
using weft::test::weft_binary;

namespace {

struct Served {
  bool killed = false;
  std::string run_status;
  std::string summary;
  std::map<std::string, int> posts;  // "POST path body" of the sandbox's effective writes -> count
  int writes = 0;                    // every effective write (POST, PATCH, PUT, DELETE)
};

void count_writes(const std::string& state_file, Served& served) {
  std::ifstream in(state_file);
  std::stringstream text;
  text << in.rdbuf();
  std::function<void(const json::value&)> walk = [&](const json::value& v) {
    if (!v.is_object()) return;
    for (const auto& [k, x] : v.as_object()) {
      if (k != "effects" || !x.is_array()) {
        walk(x);
        continue;
      }
      for (const auto& e : x.as_array()) {
        const auto status = e.at("status").to_number<int>();
        if (status < 200 || status >= 300 || e.at("replayed") == true) continue;
        ++served.writes;
        if (e.at("method") == "POST")
          ++served.posts[std::string(e.at("path").as_string()) + " " + json::serialize(e.at("body"))];
      }
    }
  };
  walk(json::parse(text.str()));
}

// kb_enrichment to its review on one server; the approval on a second one (killed at `crash_at`
// when given); the run finished by a third one when the second was killed.
Served approve_across_servers(const std::string& crash_at) {
  TempDir dir;
  ProcessOptions plain;
  plain.unset_env = weft::test::kServeCleanEnv;
  BackgroundProcess sandbox(weft_binary(), {"sandbox", "--port", "0", "--state", dir.file("sandbox.json"), "--json"},
                            plain);
  json::object info = json::parse(sandbox.read_line()).as_object();
  ProcessOptions options = plain;
  options.env = {{"CRISP_API_IDENTIFIER", std::string(info.at("identifier").as_string())},
                 {"CRISP_API_KEY", std::string(info.at("key").as_string())},
                 {"CRISP_WEBSITE_ID", std::string(info.at("website_id").as_string())}};
  const std::vector<std::string> serve_args{
      "serve", "--port", "0", "--db", dir.file("weft.db"), "--crisp", std::string(info.at("api_url").as_string())};
  Served served;
  {
    BackgroundProcess first(weft_binary(), serve_args, options);
    const std::uint16_t port = serve_port(first);
    call_api(port, "POST", "/threads",
             json::object{{"thread_id", "t"}, {"metadata", json::object{{"graph_id", "kb_enrichment"}}}});
    json::value paused = call_api(port, "POST", "/threads/t/runs/wait",
                                  json::object{{"assistant_id", "kb_enrichment"}, {"input", json::object()}});
    REQUIRE(paused.as_object().contains("__interrupt__"));
    REQUIRE(first.stop() == 0);
  }
  ProcessOptions crashing = options;
  if (!crash_at.empty()) crashing.env["WEFT_CRASH_AT"] = crash_at;
  auto second = std::make_unique<BackgroundProcess>(weft_binary(), serve_args, crashing);
  std::uint16_t port = serve_port(*second);
  json::value run = call_api(port, "POST", "/threads/t/runs",
                             json::object{{"assistant_id", "kb_enrichment"},
                                          {"command", json::object{{"resume", json::object{{"action", "approve"}}}}}});
  const std::string run_id(run.at("run_id").as_string());
  std::unique_ptr<BackgroundProcess> third;
  if (!crash_at.empty()) {
    // Its stdout closes when it dies.
    try {
      for (;;) second->read_line();
    } catch (const std::runtime_error&) {}
    served.killed = second->stop() == -1;
    third = std::make_unique<BackgroundProcess>(weft_binary(), serve_args, options);
    port = serve_port(*third);
  }
  // Nobody submits the run again: the new server found it unfinished in the database.
  json::value values = call_api(port, "GET", "/threads/t/runs/" + run_id + "/join");
  served.summary = std::string(values.at("summary").as_string());
  served.run_status = std::string(call_api(port, "GET", "/threads/t/runs/" + run_id).at("status").as_string());
  if (third) CHECK(third->stop() == 0);
  if (second) second->stop();
  sandbox.stop();
  count_writes(dir.file("sandbox.json"), served);
  return served;
}

}  // namespace

TEST_CASE(
    "weft serve killed right after an approved run's Crisp write finishes the run on restart with no doubled write") {
  const Served baseline = approve_across_servers("");
  REQUIRE(baseline.run_status == "success");
  REQUIRE_FALSE(baseline.posts.empty());
  const Served crashed = approve_across_servers("effect-finish:1");
  CHECK(crashed.killed);
  CHECK(crashed.run_status == "success");
  CHECK(crashed.summary == baseline.summary);
  CHECK(crashed.posts == baseline.posts);
  CHECK(crashed.writes == baseline.writes);
}
