// SPDX-License-Identifier: MIT
// A user's own graph is first-class in the command line: examples/my_weft (built here from the
// same source as weft_test_my_weft) registers a graph through weft::cli::main, and run, state,
// history, resume and fork work on its threads exactly as on a built-in graph's.

#include "cli/exit_code.hpp"
#include "tests/cli/process.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace json = boost::json;
using weft::test::ProcessResult;
using weft::test::TempDir;

namespace {

ProcessResult my_weft_in(const TempDir& dir, std::vector<std::string> args) {
  weft::test::ProcessOptions options;
  options.cwd = dir.path();
  options.unset_env = {"CRISP_API_IDENTIFIER", "CRISP_API_KEY", "CRISP_WEBSITE_ID", "CRISP_API_URL", "OPENAI_API_KEY",
                       "OPENAI_BASE_URL",      "WEFT_MODEL",    "WEFT_DB",          "WEFT_CRASH_AT"};
  return weft::test::run_process(WEFT_MY_WEFT_BINARY, args, options);
}

json::object parse_object(const ProcessResult& r) {
  boost::system::error_code ec;
  json::value v = json::parse(r.out, ec);
  REQUIRE_MESSAGE(!ec, "not JSON: " << r.out << " (stderr: " << r.err << ")");
  REQUIRE(v.is_object());
  return v.as_object();
}

}  // namespace

TEST_CASE("a user's own graph registered through weft::cli::main runs, and state, history and resume read its thread") {
  TempDir dir;
  auto graphs = my_weft_in(dir, {"graphs"});
  REQUIRE_MESSAGE(graphs.exit_code == weft::cli::kExitDone, graphs.err);
  CHECK(graphs.out.find("greeting") != std::string::npos);
  CHECK(graphs.out.find("spam_triage") != std::string::npos);  // the built-in graphs stay

  auto run = my_weft_in(dir, {"run", "greeting", "--thread", "g1", "--input", R"({"salutation":"Hi"})"});
  REQUIRE_MESSAGE(run.exit_code == weft::cli::kExitInterrupted, run.err);

  auto state = my_weft_in(dir, {"state", "g1", "--json"});
  REQUIRE_MESSAGE(state.exit_code == weft::cli::kExitDone, state.err);
  CHECK(json::serialize(parse_object(state)).find("What is your name?") != std::string::npos);

  auto history = my_weft_in(dir, {"history", "g1", "--json"});
  REQUIRE_MESSAGE(history.exit_code == weft::cli::kExitDone, history.err);
  const json::object h = parse_object(history);
  CHECK(h.at("graph") == "greeting");
  CHECK(h.at("status") == "interrupted");
  CHECK(!h.at("checkpoints").as_array().empty());

  auto resumed = my_weft_in(dir, {"resume", "g1", "--resume", R"("Ada")", "--json"});
  REQUIRE_MESSAGE(resumed.exit_code == weft::cli::kExitDone, resumed.err);
  auto result = parse_object(resumed);
  CHECK(result.at("status") == "done");
  CHECK(result.at("summary") == "Hi, Ada!");
}

TEST_CASE("a thread of a user's graph can be forked from an old checkpoint by the user's binary") {
  TempDir dir;
  auto run = my_weft_in(dir, {"run", "greeting", "--thread", "f1"});
  REQUIRE_MESSAGE(run.exit_code == weft::cli::kExitInterrupted, run.err);
  auto history = my_weft_in(dir, {"history", "f1", "--json"});
  REQUIRE_MESSAGE(history.exit_code == weft::cli::kExitDone, history.err);
  const json::object h = parse_object(history);
  REQUIRE(h.contains("checkpoints"));
  const json::array& checkpoints = h.at("checkpoints").as_array();
  REQUIRE(!checkpoints.empty());
  const std::string oldest(checkpoints.back().at("checkpoint_id").as_string());
  auto fork = my_weft_in(dir, {"fork", "f1", "--checkpoint", oldest});
  CHECK_MESSAGE(fork.exit_code != weft::cli::kExitUsage, fork.err);
  CHECK(fork.err.find("no graph named") == std::string::npos);
}

TEST_CASE("the plain weft binary names a user's graph it does not know when asked for its thread") {
  TempDir dir;
  auto run = my_weft_in(dir, {"run", "greeting", "--thread", "u1"});
  REQUIRE_MESSAGE(run.exit_code == weft::cli::kExitInterrupted, run.err);
  weft::test::ProcessOptions options;
  options.cwd = dir.path();
  auto state = weft::test::run_process(weft::test::weft_binary(), {"state", "u1"}, options);
  CHECK(state.exit_code != weft::cli::kExitDone);
  CHECK(state.err.find("greeting") != std::string::npos);
}
