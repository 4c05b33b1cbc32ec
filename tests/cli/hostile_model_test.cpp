// SPDX-License-Identifier: MIT
// A model is untrusted input (issue #10, item 2): a tool call whose id is a megabyte long
// overflowed the stack inside std::regex (SIGSEGV, exit 139), and because the model's answer is
// journaled, every `weft resume` replayed it into the same crash. Here a scripted model sends such
// calls to support_agent through the real `weft` binary against a sandbox in another process:
// the run ends, the tools refuse the ids back to the model, and a run killed right after the
// answer was recorded resumes to the end.

#include "cli/exit_code.hpp"
#include "tests/cli/process.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <doctest/doctest.h>

#include <csignal>
#include <fstream>
#include <string>
#include <vector>

namespace json = boost::json;
using weft::test::BackgroundProcess;
using weft::test::ProcessOptions;
using weft::test::ProcessResult;
using weft::test::run_process;
using weft::test::TempDir;
using weft::test::weft_binary;

namespace {

const std::vector<std::string> kCleanEnv = {"CRISP_API_IDENTIFIER", "CRISP_API_KEY",  "CRISP_WEBSITE_ID",
                                            "CRISP_API_URL",        "OPENAI_API_KEY", "OPENAI_BASE_URL",
                                            "WEFT_MODEL",           "WEFT_DB",        "WEFT_CRASH_AT"};

std::string megabyte_path() {
  std::string path;
  while (path.size() < (1u << 20)) path += "getting-started/";
  return path + "install-the-widget.md";
}

// One turn of tool calls with megabyte ids (a tree path, a session id), then a final answer.
void write_script(const std::string& file) {
  json::array calls;
  calls.push_back(json::object{{"name", "get_single_crisp_helpdesk_article_by_id"},
                               {"arguments", json::object{{"locale", "en"}, {"tree_path", megabyte_path()}}}});
  calls.push_back(json::object{{"name", "list_all_crisp_messages"},
                               {"arguments", json::object{{"session_id", "session_" + std::string(1u << 20, 'a')}}}});
  json::array replies;
  replies.push_back(json::object{{"tool_calls", std::move(calls)}});
  replies.push_back("Those ids were refused; nothing else to do.");
  std::ofstream out(file);
  out << json::serialize(json::object{{"order", "turns"}, {"replies", std::move(replies)}});
}

struct Setup {
  TempDir dir;
  BackgroundProcess sandbox;
  ProcessOptions options;
  std::vector<std::string> run_args;

  Setup()
      : sandbox(weft_binary(), {"sandbox", "--port", "0", "--state", dir.file("sandbox.json"), "--json"},
                sandbox_options()) {
    const json::object info = json::parse(sandbox.read_line()).as_object();
    options.unset_env = kCleanEnv;
    options.env = {{"CRISP_API_IDENTIFIER", std::string(info.at("identifier").as_string())},
                   {"CRISP_API_KEY", std::string(info.at("key").as_string())},
                   {"CRISP_WEBSITE_ID", std::string(info.at("website_id").as_string())}};
    write_script(dir.file("agent.json"));
    run_args = {"run",      "support_agent",
                "--thread", "t",
                "--input",  R"({"instruction":"Read the install article","max_steps":4})",
                "--crisp",  std::string(info.at("api_url").as_string()),
                "--db",     dir.file("weft.db"),
                "--model",  "scripted:" + dir.file("agent.json")};
  }

  static ProcessOptions sandbox_options() {
    ProcessOptions o;
    o.unset_env = kCleanEnv;
    return o;
  }

  ProcessResult run(const std::vector<std::string>& args, const ProcessOptions& with) const {
    return run_process(weft_binary(), args, with);
  }

  std::string summary() const {
    const auto state = run({"state", "t", "--json", "--db", dir.file("weft.db")}, options);
    REQUIRE_MESSAGE(state.exit_code == 0, state.err);
    return std::string(json::parse(state.out).at("values").at("summary").as_string());
  }
};

}  // namespace

TEST_CASE("a model's megabyte-long ids are refused back to it and the run ends instead of crashing") {
  Setup s;
  const ProcessResult result = s.run(s.run_args, s.options);
  REQUIRE_MESSAGE(result.signal == 0, "weft run died of signal " << result.signal);  // was SIGSEGV (exit 139)
  // Every tool call of the run was refused, so it ends honestly: done with failures (exit 4).
  REQUIRE_MESSAGE(result.exit_code == weft::cli::kExitDoneWithFailures, result.err);
  const std::string summary = s.summary();
  CHECK(summary.find("Those ids were refused") != std::string::npos);
  CHECK(summary.find("get_single_crisp_helpdesk_article_by_id") != std::string::npos);
  const ProcessResult again = s.run({"resume", "t", "--db", s.dir.file("weft.db")}, s.options);
  CHECK(again.signal == 0);
  CHECK(again.exit_code == weft::cli::kExitDoneWithFailures);
  CHECK(again.err.find("already done") != std::string::npos);
}

TEST_CASE("a run killed after the megabyte-long answer was recorded resumes to the end") {
  // Killed after each of the first checkpoints in turn (one of them holds the model's answer with
  // the tool calls, before the tools ran): resume replays the recorded answer into validation.
  int crashed = 0;
  for (int n = 1; n <= 4; ++n) {
    Setup s;
    ProcessOptions crashing = s.options;
    crashing.env["WEFT_CRASH_AT"] = "checkpoint:" + std::to_string(n);
    const ProcessResult first = s.run(s.run_args, crashing);
    INFO("checkpoint:" << n << ": exit " << first.exit_code << " signal " << first.signal << ": " << first.err);
    REQUIRE((first.signal == SIGKILL || (first.signal == 0 && first.exit_code == weft::cli::kExitDoneWithFailures)));
    if (first.signal != SIGKILL) break;  // the run ended before its nth checkpoint
    ++crashed;
    const ProcessResult resumed = s.run({"resume", "t", "--db", s.dir.file("weft.db")}, s.options);
    REQUIRE_MESSAGE(resumed.signal == 0, "weft resume died of signal " << resumed.signal);
    REQUIRE_MESSAGE(resumed.exit_code == weft::cli::kExitDoneWithFailures, resumed.err);
    CHECK(s.summary().find("Those ids were refused") != std::string::npos);
  }
  CHECK(crashed >= 2);
}
