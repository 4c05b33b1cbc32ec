// SPDX-License-Identifier: MIT
// Exactly once, proven at a few crash points of each built-in graph (crash_harness.hpp): killed
// and resumed, each run ends as an uncrashed one with every write made once, under faults and
// under exit durability too. The full sweep is crash_sweep_test.cpp (soak).

#include "tests/cli/crash_harness.hpp"

#include <doctest/doctest.h>

using namespace crash_harness;

TEST_CASE("spam_triage killed after a report was sent but before it was recorded resumes without a second report") {
  Outcome baseline = run_scenario(kTriage, "");
  REQUIRE_FALSE(baseline.posts.empty());
  for (const char* point : {"effect-finish:4", "checkpoint:2", "writes:1"}) {
    Outcome o = run_scenario(kTriage, point);
    CHECK_MESSAGE(o.crashed, point);
    check_same(baseline, o, point);
  }
}

TEST_CASE("kb_enrichment killed inside the article writes publishes one article") {
  Outcome baseline = run_scenario(kKnowledge, "");
  for (const char* point : {"effect-finish:3", "effect-begin:4"}) {
    Outcome o = run_scenario(kKnowledge, point);
    CHECK_MESSAGE(o.crashed, point);
    check_same(baseline, o, point);
  }
}

TEST_CASE("vip_outreach killed after the greeting was sent but before it was recorded sends it once") {
  Outcome baseline = run_scenario(kOutreach, "");
  REQUIRE_FALSE(baseline.posts.empty());
  for (const char* point : {"effect-finish:5", "checkpoint:5"}) {
    Outcome o = run_scenario(kOutreach, point);
    CHECK_MESSAGE(o.crashed, point);
    check_same(baseline, o, point, true);
  }
}

TEST_CASE("support_agent killed inside its tool calls sends each message once and keeps the same answer") {
  Outcome baseline = run_scenario(kAgent, "");
  REQUIRE(baseline.posts.size() == 2);    // the two messages
  REQUIRE(baseline.updates.size() == 1);  // the state change
  CHECK(baseline.summary.find("Answered two conversations") != std::string::npos);
  for (const char* point : {"effect-finish:3", "effect-finish:6"}) {  // each message sent, not yet recorded
    Outcome o = run_scenario(kAgent, point);
    CHECK_MESSAGE(o.crashed, point);
    check_same(baseline, o, point);
  }
}

TEST_CASE("spam_triage under a 429 storm and 5xx faults killed after a report resumes without a second report") {
  Outcome baseline = run_scenario(kTriage, "");
  Outcome o = run_scenario(kTriage, "effect-finish:4", kStormFaults);
  CHECK(o.crashed);
  check_same(baseline, o, "effect-finish:4 under faults");
}

TEST_CASE(
    "spam_triage killed under exit durability before its first checkpoint resumes and touches no benign conversation") {
  // The reported run: the default 20 conversations, exit durability, killed at the 12th effect.
  // Its journal outlived it with no checkpoint; a second `weft run` on the thread must refuse
  // (pointing at resume), and `weft resume` must finish it without acting on a conversation
  // whose own verdict does not call for it, and without doubling any write.
  const Outcome broad = run_scenario(Scenario{"spam_triage", R"({"limit":50})", {}}, "");
  int refusals = 0;
  auto run_again = [&refusals](const std::vector<std::string>& run_args, const ProcessOptions& options) {
    auto again = run_process(weft_binary(), run_args, options);
    CHECK_MESSAGE(again.exit_code == weft::cli::kExitUsage, again.err);
    CHECK_MESSAGE(again.err.find("weft resume t") != std::string::npos, again.err);
    refusals += again.exit_code == weft::cli::kExitUsage;
  };
  Outcome o = run_scenario(Scenario{"spam_triage", "{}", {}}, "effect-begin:12", {}, "exit", run_again);
  CHECK(o.crashed);
  CHECK(refusals == 1);
  CHECK(o.resumes >= 1);
  BoundTally tally;
  check_bound(broad, o, "exit effect-begin:12", false, tally);
  CHECK(tally.misdirected == 0);
  CHECK(tally.doubled == 0);
  // The benign conversations, counted: none of the sessions the uncrashed run leaves alone got a
  // write.
  static const std::regex session("session_[0-9a-f-]{36}");
  std::set<std::string> acted_on, allowed;
  auto sessions_of = [](const auto& keys, std::set<std::string>& into) {
    for (const auto& k : keys) {
      std::smatch m;
      if (std::regex_search(k, m, session)) into.insert(m.str());
    }
  };
  sessions_of(o.posts, acted_on);
  sessions_of(o.updates, acted_on);
  sessions_of(broad.posts, allowed);
  sessions_of(broad.updates, allowed);
  std::size_t benign_touched = 0;
  for (const auto& s : acted_on) benign_touched += allowed.count(s) == 0;
  CHECK(benign_touched == 0);
  CHECK_FALSE(acted_on.empty());
}

TEST_CASE("a model answer the graph rejected is asked again on resume and the fixed model completes the thread") {
  TempDir dir;
  {
    std::ofstream bad(dir.file("bad.json"));
    bad << R"([{"content": "{\"problem\": \"\", \"solution\": \"\", \"title\": \"?\"}"}])";
    std::ofstream good(dir.file("good.json"));
    good
        << R"([{"content": "{\"problem\": \"Login fails\", \"solution\": \"Reset the password\", \"title\": \"Fix login\"}"},)"
        << R"( {"content": "{\"title\": \"How to fix a failing login\", \"description\": \"Reset it\", \"content\": \"1. Reset the password\"}"}])";
  }
  ProcessOptions options;
  options.unset_env = kCleanEnv;
  options.cwd = dir.path();
  const std::string db = dir.file("weft.db");
  auto first = run_process(weft_binary(),
                           {"run", "kb_enrichment", "--thread", "k", "--input", R"({"require_review":false})",
                            "--model", "scripted:" + dir.file("bad.json"), "--db", db},
                           options);
  REQUIRE_MESSAGE(first.exit_code == weft::cli::kExitFailed, first.err);
  CHECK_MESSAGE(first.err.find("did not extract a problem and a solution") != std::string::npos, first.err);
  CHECK_MESSAGE(first.err.find("weft resume") != std::string::npos, first.err);
  auto fixed =
      run_process(weft_binary(), {"resume", "k", "--model", "scripted:" + dir.file("good.json"), "--db", db}, options);
  CHECK_MESSAGE(fixed.exit_code == weft::cli::kExitDone, fixed.err);
  auto state = run_process(weft_binary(), {"state", "k", "--json", "--db", db}, options);
  REQUIRE_MESSAGE(state.exit_code == 0, state.err);
  CHECK(json::parse(state.out).at("values").at("draft").at("title") == "How to fix a failing login");
}
