// SPDX-License-Identifier: MIT
// Neighbours and bounds, through the built `weft` binary: many runs side by side in one directory
// (one sandbox state file), a crashed run's status, read-only databases, --input size, and thread
// ids that must not reach a terminal or a JSON reader raw.

#include "cli/exit_code.hpp"
#include "engine/checkpointer.hpp"
#include "store/sqlite_store.hpp"
#include "tests/cli/process.hpp"

#include <boost/json/parse.hpp>
#include <doctest/doctest.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include <sys/stat.h>
#include <unistd.h>

namespace json = boost::json;
using weft::test::ProcessOptions;
using weft::test::ProcessResult;
using weft::test::TempDir;

namespace {

ProcessOptions clean_options(const std::string& cwd) {
  ProcessOptions options;
  options.cwd = cwd;
  options.unset_env = {"CRISP_API_IDENTIFIER", "CRISP_API_KEY", "CRISP_WEBSITE_ID", "CRISP_API_URL", "OPENAI_API_KEY",
                       "OPENAI_BASE_URL",      "WEFT_MODEL",    "WEFT_DB",          "WEFT_CRASH_AT"};
  return options;
}

ProcessResult weft_in(const std::string& cwd, const std::vector<std::string>& args, ProcessOptions options = {}) {
  ProcessOptions o = clean_options(cwd);
  for (auto& [k, v] : options.env) o.env[k] = v;
  return weft::test::run_process(weft::test::weft_binary(), args, o);
}

json::value parse_json(const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);  // rejects invalid UTF-8
  REQUIRE_MESSAGE(!ec, "not JSON: " << text);
  return v;
}

json::value read_json_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buf;
  buf << in.rdbuf();
  return parse_json(buf.str());
}

std::string write_kind(const std::string& path) {
  for (const char* kind : {"/report", "/block", "/inbox"}) {
    if (path.ends_with(kind)) return kind;
  }
  return "other";
}

}  // namespace

TEST_CASE("twenty concurrent runs in one directory all complete and the sandbox keeps every write") {
  TempDir dir;
  constexpr int kRuns = 20;
  std::vector<ProcessResult> results(kRuns);
  {
    std::vector<std::jthread> runs;
    for (int i = 0; i < kRuns; ++i) {
      runs.emplace_back([&, i] {
        results[static_cast<std::size_t>(i)] = weft_in(dir.path(), {"run", "spam_triage", "--input", R"({"limit":5})",
                                                                    "--thread", "n" + std::to_string(i), "--json"});
      });
    }
  }
  // What each run says it did: report (+ block) for spam, an inbox move for technical ones.
  std::map<std::string, int> expected;  // "<kind> <session>" -> writes
  for (int i = 0; i < kRuns; ++i) {
    const ProcessResult& r = results[static_cast<std::size_t>(i)];
    CAPTURE(i);
    REQUIRE_MESSAGE(r.exit_code == weft::cli::kExitDone, r.err);
    CHECK(r.err.find("terminate") == std::string::npos);
    CHECK(r.err.find("warning") == std::string::npos);
    const json::value out = parse_json(r.out);
    for (const auto& item : out.at("values").at("results").as_array()) {
      const std::string session(item.at("session_id").as_string());
      const std::string action(item.at("action").as_string());
      if (action.starts_with("reported as spam")) ++expected["/report " + session];
      if (action == "reported as spam and blocked") ++expected["/block " + session];
      if (action.starts_with("moved to")) ++expected["/inbox " + session];
    }
  }
  REQUIRE_FALSE(expected.empty());
  std::map<std::string, int> logged;
  const json::value state = read_json_file(dir.file("weft.db.sandbox.json"));
  for (const auto& e : state.at("effects").as_array()) {
    const std::string session = e.at("session_id").is_string() ? std::string(e.at("session_id").as_string()) : "";
    ++logged[write_kind(std::string(e.at("path").as_string())) + " " + session];
  }
  CHECK(logged == expected);
  // No temp file is left beside the state file.
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    CHECK(entry.path().filename().string().find(".tmp") == std::string::npos);
  }
}

TEST_CASE("a run killed mid-way shows as stale, not running, and resumes") {
  TempDir dir;
  ProcessOptions crash;
  crash.env["WEFT_CRASH_AT"] = "checkpoint:3";
  auto killed = weft_in(dir.path(), {"run", "spam_triage", "--input", R"({"limit":3})", "--thread", "k"}, crash);
  REQUIRE(killed.signal == SIGKILL);
  auto listed = weft_in(dir.path(), {"threads", "--json"});
  REQUIRE_MESSAGE(listed.exit_code == 0, listed.err);
  const auto threads = parse_json(listed.out).at("threads").as_array();
  REQUIRE(threads.size() == 1);
  CHECK(threads[0].at("status") == "stale");
  auto text = weft_in(dir.path(), {"threads"});
  CHECK(text.out.find("stale") != std::string::npos);
  CHECK(text.out.find("running") == std::string::npos);
  auto state = weft_in(dir.path(), {"state", "k", "--json"});
  REQUIRE_MESSAGE(state.exit_code == 0, state.err);
  CHECK(parse_json(state.out).at("status") == "stale");
  auto resumed = weft_in(dir.path(), {"resume", "k"});
  CHECK_MESSAGE(resumed.exit_code == weft::cli::kExitDone, resumed.err);
  CHECK(parse_json(weft_in(dir.path(), {"threads", "--json"}).out).at("threads").as_array()[0].at("status") == "done");
}

TEST_CASE("--input larger than 1 MiB is a usage error, and @/dev/zero ends at once") {
  TempDir dir;
  auto zero = weft_in(dir.path(), {"run", "spam_triage", "--input", "@/dev/zero"});
  CHECK(zero.exit_code == weft::cli::kExitUsage);
  CHECK(zero.err.find("larger than 1024 KiB") != std::string::npos);
  {
    std::ofstream big(dir.file("big.json"));
    big << R"({"limit":5,"pad":")" << std::string(std::size_t{1} << 20, 'x') << R"("})";
  }
  auto file = weft_in(dir.path(), {"run", "spam_triage", "--input", "@big.json"});
  CHECK(file.exit_code == weft::cli::kExitUsage);
  CHECK(file.err.find("--input file 'big.json' is larger than") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.file("weft.db")));  // refused before anything ran
}

TEST_CASE("thread ids with control characters, invalid UTF-8 or past 128 bytes are refused at creation") {
  TempDir dir;
  for (const std::string& id : {std::string("evil\x1b[31mred"), std::string("two\nlines"), std::string("bad\xff\xfe"),
                                std::string("rtl\xe2\x80\xaeoverride"), std::string(129, 'a')}) {
    CAPTURE(id);
    auto r = weft_in(dir.path(), {"run", "spam_triage", "--thread", id});
    CHECK(r.exit_code == weft::cli::kExitUsage);
    CHECK(r.err.find("thread") != std::string::npos);
    CHECK(r.err.find('\x1b') == std::string::npos);
    CHECK(r.err.find('\xff') == std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  }
  CHECK_FALSE(std::filesystem::exists(dir.file("weft.db")));
  auto fine = weft_in(dir.path(), {"run", "spam_triage", "--input", R"({"limit":1})", "--thread", "café-ok"});
  CHECK_MESSAGE(fine.exit_code == weft::cli::kExitDone, fine.err);
}

TEST_CASE("a forged thread id already in a database is printed escaped and as valid JSON") {
  TempDir dir;
  const std::string forged = std::string("evil\x1b[2J\nnext\xff");
  {
    weft::SqliteStore store(dir.file("weft.db"));
    store.set_thread_status(forged, weft::ThreadStatus::done, "spam_triage", {});
  }
  auto text = weft_in(dir.path(), {"threads"});
  REQUIRE_MESSAGE(text.exit_code == 0, text.err);
  CHECK(text.out.find('\x1b') == std::string::npos);
  CHECK(text.out.find('\xff') == std::string::npos);
  CHECK(text.out.find("evil\\x1b[2J\\x0anext\\xff") != std::string::npos);
  auto listed = weft_in(dir.path(), {"threads", "--json"});
  REQUIRE(listed.exit_code == 0);
  const auto threads = parse_json(listed.out).at("threads").as_array();
  REQUIRE(threads.size() == 1);
  CHECK(threads[0].at("thread_id") == "evil\\x1b[2J\\x0anext\\xff");
  auto missing = weft_in(dir.path(), {"state", forged});
  CHECK(missing.err.find('\x1b') == std::string::npos);
}

TEST_CASE("threads, history, state and check work on a database in a read-only directory") {
  TempDir dir;
  const std::string ro = dir.file("ro");
  std::filesystem::create_directory(ro);
  auto run = weft_in(ro, {"run", "spam_triage", "--input", R"({"limit":2})", "--thread", "r"});
  REQUIRE_MESSAGE(run.exit_code == weft::cli::kExitDone, run.err);
  REQUIRE_FALSE(std::filesystem::exists(ro + "/weft.db-wal"));
  REQUIRE(::chmod((ro + "/weft.db").c_str(), 0444) == 0);
  REQUIRE(::chmod(ro.c_str(), 0555) == 0);
  REQUIRE(::chmod(dir.path().c_str(), 0755) == 0);
  // Permissions do not stop root: as root, run the commands as nobody (setpriv), for whom they hold.
  std::vector<std::string> prefix;
  std::string program = weft::test::weft_binary();
  if (::geteuid() == 0) {
    REQUIRE_MESSAGE(std::filesystem::exists("/usr/bin/setpriv"), "setpriv (util-linux) is needed to drop root");
    prefix = {"--reuid=65534", "--regid=65534", "--clear-groups", program};
    program = "/usr/bin/setpriv";
  }
  auto as_reader = [&](std::vector<std::string> args) {
    std::vector<std::string> all = prefix;
    all.insert(all.end(), args.begin(), args.end());
    return weft::test::run_process(program, all, clean_options(ro));
  };
  auto probe = as_reader({"run", "spam_triage", "--thread", "w"});  // writing must fail here
  REQUIRE(probe.exit_code != 0);
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"threads"}, {"threads", "--json"}, {"history", "r"}, {"state", "r"}, {"state", "r", "--json"}, {"check"}}) {
    CAPTURE(args.front());
    auto r = as_reader(args);
    CHECK_MESSAGE(r.exit_code == 0, r.err);
  }
  CHECK(as_reader({"threads"}).out.find("r ") != std::string::npos);
  ::chmod(ro.c_str(), 0755);
}
