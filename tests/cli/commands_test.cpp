// SPDX-License-Identifier: MIT
// The built `weft` binary's commands, spawned in a fresh directory with no configuration (so the
// defaults apply: ./weft.db, the in-process Crisp sandbox, the offline model).

#include "cli/exit_code.hpp"
#include "tests/cli/process.hpp"

#include <boost/json/parse.hpp>
#include <doctest/doctest.h>

#include <algorithm>
#include <functional>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace json = boost::json;
using weft::test::ProcessResult;
using weft::test::TempDir;

namespace {

ProcessResult weft_in(const TempDir& dir, std::vector<std::string> args) {
  weft::test::ProcessOptions options;
  options.cwd = dir.path();
  // Nothing from the developer's environment may switch to real services.
  options.unset_env = {"CRISP_API_IDENTIFIER", "CRISP_API_KEY", "CRISP_WEBSITE_ID", "CRISP_API_URL", "OPENAI_API_KEY",
                       "OPENAI_BASE_URL",      "WEFT_MODEL",    "WEFT_DB",          "WEFT_CRASH_AT"};
  return weft::test::run_process(weft::test::weft_binary(), args, options);
}

std::size_t lines(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

json::value parse_json(const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  REQUIRE_MESSAGE(!ec, "not JSON: " << text);
  return v;
}

// Successful writes in the sandbox's state file whose path ends with `suffix`.
std::size_t sandbox_writes(const TempDir& dir, const std::string& suffix) {
  std::ifstream in(dir.file("weft.db.sandbox.json"));
  std::stringstream buf;
  buf << in.rdbuf();
  json::value state = json::parse(buf.str());
  std::size_t n = 0;
  std::function<void(const json::value&)> walk = [&](const json::value& v) {
    if (v.is_object()) {
      for (const auto& [k, x] : v.as_object()) {
        if (k == "effects" && x.is_array()) {
          for (const auto& e : x.as_array()) {
            auto status = e.at("status").to_number<int>();
            if (status >= 200 && status < 300 && e.at("path").as_string().ends_with(suffix)) ++n;
          }
        } else {
          walk(x);
        }
      }
    }
  };
  walk(state);
  return n;
}

}  // namespace

TEST_CASE("every command has --help that starts with its usage line and exits 0") {
  TempDir dir;
  for (const char* command : {"run", "resume", "threads", "history", "state", "fork", "graphs", "graph", "tools",
                              "sandbox", "fake-llm", "serve", "mcp", "check"}) {
    auto r = weft_in(dir, {command, "--help"});
    CHECK_MESSAGE(r.exit_code == weft::cli::kExitDone, command);
    CHECK_MESSAGE(r.out.rfind(std::string("usage: weft ") + command, 0) == 0, command);
  }
}

TEST_CASE("weft serve refuses a non-loopback address without an API key before opening anything") {
  TempDir dir;
  auto r = weft_in(dir, {"serve", "--host", "0.0.0.0"});
  CHECK(r.exit_code == weft::cli::kExitUsage);
  CHECK(r.err.find("without an API key") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.file("weft.db")));
}

TEST_CASE("an unknown graph is one error line listing the graphs, exit 2") {
  TempDir dir;
  auto r = weft_in(dir, {"run", "spam_triag"});
  CHECK(r.exit_code == weft::cli::kExitUsage);
  CHECK(lines(r.err) == 1);
  CHECK(r.err.find("no graph named 'spam_triag'; the graphs are: spam_triage, vip_outreach, kb_enrichment, "
                   "support_agent, live_reply") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.file("weft.db")));
}

TEST_CASE("bad input JSON and input outside the schema are one-line usage errors") {
  TempDir dir;
  auto bad = weft_in(dir, {"run", "spam_triage", "--input", "{limit:3}"});
  CHECK(bad.exit_code == weft::cli::kExitUsage);
  CHECK(lines(bad.err) == 1);
  CHECK(bad.err.find("--input is not valid JSON") != std::string::npos);
  auto schema = weft_in(dir, {"run", "spam_triage", "--input", R"({"limit":"many"})"});
  CHECK(schema.exit_code == weft::cli::kExitUsage);
  CHECK(lines(schema.err) == 1);
  CHECK(schema.err.find("/limit") != std::string::npos);
}

TEST_CASE("weft run spam_triage with no configuration runs offline against the sandbox and prints its summary") {
  TempDir dir;
  auto r = weft_in(dir, {"run", "spam_triage", "--input", R"({"limit":5})", "--thread", "t1"});
  REQUIRE_MESSAGE(r.exit_code == weft::cli::kExitDone, r.err);
  CHECK(r.out.rfind("Triaged 5 unread conversations:", 0) == 0);
  CHECK(r.err.find("Crisp sandbox at http://127.0.0.1:") != std::string::npos);
  CHECK(r.err.find("step ") != std::string::npos);  // progress was shown
  CHECK(std::filesystem::exists(dir.file("weft.db")));
  CHECK(std::filesystem::exists(dir.file("weft.db.sandbox.json")));
  CHECK(sandbox_writes(dir, "/report") >= 1);

  auto again = weft_in(dir, {"run", "spam_triage", "--thread", "t1"});
  CHECK(again.exit_code == weft::cli::kExitUsage);
  CHECK(again.err.find("thread 't1' already exists") != std::string::npos);
}

TEST_CASE("--json gives one parseable object with the status and the summary") {
  TempDir dir;
  auto r = weft_in(dir, {"run", "spam_triage", "--input", R"({"limit":3})", "--json", "--thread", "j"});
  REQUIRE_MESSAGE(r.exit_code == weft::cli::kExitDone, r.err);
  REQUIRE(lines(r.out) == 1);
  auto o = parse_json(r.out).as_object();
  CHECK(o.at("status") == "done");
  CHECK(o.at("thread_id") == "j");
  CHECK(o.at("summary").as_string().starts_with("Triaged 3 unread conversations"));

  auto threads = weft_in(dir, {"threads", "--json"});
  REQUIRE(threads.exit_code == 0);
  auto list = parse_json(threads.out).at("threads").as_array();
  REQUIRE(list.size() == 1);
  CHECK(list[0].at("thread_id") == "j");
  CHECK(list[0].at("status") == "done");
  CHECK(list[0].at("graph") == "spam_triage");

  auto history = weft_in(dir, {"history", "j", "--json"});
  REQUIRE(history.exit_code == 0);
  CHECK(parse_json(history.out).at("checkpoints").as_array().size() >= 3);

  auto state = weft_in(dir, {"state", "j", "--json"});
  REQUIRE(state.exit_code == 0);
  CHECK(parse_json(state.out).at("values").at("summary").as_string().starts_with("Triaged 3"));

  auto check = weft_in(dir, {"check"});
  CHECK_MESSAGE(check.exit_code == 0, check.out << check.err);
}

TEST_CASE("a run waiting for review exits 3, a bad answer exits 2, and the answer resumes it on the same sandbox") {
  TempDir dir;
  auto first = weft_in(dir, {"run", "kb_enrichment", "--thread", "kb"});
  REQUIRE_MESSAGE(first.exit_code == weft::cli::kExitInterrupted, first.err);
  CHECK(first.out.find("Waiting for a human on thread kb") != std::string::npos);
  CHECK(first.out.find("weft resume kb --resume '{\"action\":\"approve\"}'") != std::string::npos);

  auto waiting = weft_in(dir, {"resume", "kb"});
  CHECK(waiting.exit_code == weft::cli::kExitUsage);
  CHECK(waiting.err.find("waiting for a human") != std::string::npos);

  auto typo = weft_in(dir, {"resume", "kb", "--resume", R"({"action":"aprove"})"});
  CHECK(typo.exit_code == weft::cli::kExitUsage);
  CHECK(lines(typo.err) == 1);
  CHECK(typo.err.find("unknown action 'aprove'") != std::string::npos);
  CHECK(sandbox_writes(dir, "/publish") == 0);

  auto done = weft_in(dir, {"resume", "kb", "--resume", R"({"action":"approve"})", "--json"});
  REQUIRE_MESSAGE(done.exit_code == weft::cli::kExitDone, done.err);
  CHECK(parse_json(done.out).at("status") == "done");
  // The article was created and published once, in the sandbox state the first run started.
  CHECK(sandbox_writes(dir, ".md") + sandbox_writes(dir, "/publish") >= 3);  // create, content, publish

  auto again = weft_in(dir, {"resume", "kb"});
  CHECK(again.exit_code == weft::cli::kExitDone);
  CHECK(again.err.find("already done") != std::string::npos);
}

TEST_CASE("resume accepts an edit of a kb_enrichment draft's title alone, and says so when the edit is empty") {
  TempDir dir;
  REQUIRE(weft_in(dir, {"run", "kb_enrichment", "--thread", "kb"}).exit_code == weft::cli::kExitInterrupted);
  auto empty = weft_in(dir, {"resume", "kb", "--resume", R"({"action":"edit","title":""})"});
  CHECK(empty.exit_code == weft::cli::kExitUsage);
  CHECK(empty.err.find("needs a non-empty \"title\" or \"text\"") != std::string::npos);
  auto done = weft_in(
      dir, {"resume", "kb", "--resume", R"({"action":"edit","title":"Subscribe to the status page"})", "--json"});
  REQUIRE_MESSAGE(done.exit_code == weft::cli::kExitDone, done.err);
  CHECK(parse_json(done.out).at("summary").as_string().starts_with(
      "Published helpdesk article 'Subscribe to the status page'"));
}

TEST_CASE("resume of an unknown thread says how to list threads") {
  TempDir dir;
  weft_in(dir, {"run", "spam_triage", "--input", R"({"limit":1})"});
  auto r = weft_in(dir, {"resume", "nope"});
  CHECK(r.exit_code == weft::cli::kExitUsage);
  CHECK(r.err == "weft: error: no thread 'nope' in 'weft.db'; list them with 'weft threads'\n");
}

TEST_CASE("graphs, graph --mermaid and tools --format openai describe what can run") {
  TempDir dir;
  auto graphs = weft_in(dir, {"graphs", "--json"});
  REQUIRE(graphs.exit_code == 0);
  CHECK(parse_json(graphs.out).at("graphs").as_array().size() == 5);
  auto mermaid = weft_in(dir, {"graph", "spam_triage", "--mermaid"});
  REQUIRE(mermaid.exit_code == 0);
  CHECK(mermaid.out.find("triage") != std::string::npos);
  CHECK(mermaid.out.find("summarize") != std::string::npos);
  auto tools = weft_in(dir, {"tools", "--format", "openai"});
  REQUIRE(tools.exit_code == 0);
  auto list = parse_json(tools.out).as_array();
  CHECK(list.size() >= 30);
  CHECK(list[0].at("type") == "function");
  CHECK_FALSE(std::filesystem::exists(dir.file("weft.db")));  // describing opens nothing
}

TEST_CASE("fork reruns a finished thread from an older checkpoint as a new branch and keeps the old history") {
  TempDir dir;
  REQUIRE(weft_in(dir, {"run", "kb_enrichment", "--thread", "kb"}).exit_code == weft::cli::kExitInterrupted);
  REQUIRE(weft_in(dir, {"resume", "kb", "--resume", R"({"action":"reject"})"}).exit_code == weft::cli::kExitDone);
  auto history = parse_json(weft_in(dir, {"history", "kb", "--json"}).out).at("checkpoints").as_array();
  std::string before_review;
  for (const auto& c : history) {
    const auto& next = c.at("next").as_array();
    if (next.size() == 1 && next[0] == "review") before_review = std::string(c.at("checkpoint_id").as_string());
  }
  REQUIRE_FALSE(before_review.empty());
  auto fork = weft_in(dir, {"fork", "kb", "--checkpoint", before_review});
  CHECK_MESSAGE(fork.exit_code == weft::cli::kExitInterrupted, fork.err);  // asks for the review again
  auto approved = weft_in(dir, {"resume", "kb", "--resume", R"({"action":"approve"})", "--json"});
  REQUIRE_MESSAGE(approved.exit_code == weft::cli::kExitDone, approved.err);
  CHECK(parse_json(approved.out).at("summary").as_string().starts_with("Published helpdesk article"));
  auto after = parse_json(weft_in(dir, {"history", "kb", "--json"}).out).at("checkpoints").as_array();
  CHECK(after.size() > history.size());  // the rejected branch is still there

  auto missing = weft_in(dir, {"fork", "kb", "--checkpoint", "nope"});
  CHECK(missing.exit_code == weft::cli::kExitUsage);
  CHECK(missing.err.find("has no checkpoint 'nope'") != std::string::npos);
}

TEST_CASE("resume opens the database once and decodes the thread's latest checkpoint at most twice") {
  TempDir dir;
  auto first = weft_in(dir, {"run", "kb_enrichment", "--thread", "kb"});
  REQUIRE_MESSAGE(first.exit_code == weft::cli::kExitInterrupted, first.err);
  weft::test::ProcessOptions options;
  options.cwd = dir.path();
  options.unset_env = {"CRISP_API_IDENTIFIER", "CRISP_API_KEY", "CRISP_WEBSITE_ID", "CRISP_API_URL", "OPENAI_API_KEY",
                       "OPENAI_BASE_URL",      "WEFT_MODEL",    "WEFT_DB",          "WEFT_CRASH_AT"};
  options.env = {{"WEFT_DEBUG_STORE", "1"}};
  // One store serves the read of the thread's recorded settings (get_state) and the run's start
  // (lease + load in one transaction): before, two stores were opened and the chain was read
  // three times. The store keeps no copy of a checkpoint on its first load (a fresh process's
  // get_state then costs a parse and no copy), so the run's start decodes it a second time.
  auto done = weft::test::run_process(weft::test::weft_binary(),
                                      {"resume", "kb", "--resume", R"({"action":"approve"})", "--json"}, options);
  REQUIRE_MESSAGE(done.exit_code == weft::cli::kExitDone, done.err);
  INFO(done.err);
  CHECK(done.err.find("weft: debug: store: opened 1, loads decoded 2, reused ") != std::string::npos);
}
