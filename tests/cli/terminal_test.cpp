// SPDX-License-Identifier: MIT
// What a person sees: the live status line on a terminal (a pseudo-terminal), plain lines when
// stderr is redirected, NO_COLOR, streamed model text, questions rendered as text, and Ctrl-C.

#include "cli/exit_code.hpp"
#include "tests/cli/process.hpp"
#include "tests/cli/pty.hpp"

#include <boost/json/parse.hpp>
#include <doctest/doctest.h>

#include <regex>

namespace json = boost::json;
using weft::test::ProcessOptions;
using weft::test::TempDir;

namespace {

ProcessOptions offline_in(const TempDir& dir) {
  ProcessOptions options;
  options.cwd = dir.path();
  options.unset_env = {"CRISP_API_IDENTIFIER", "CRISP_API_KEY", "CRISP_WEBSITE_ID", "CRISP_API_URL", "OPENAI_API_KEY",
                       "OPENAI_BASE_URL",      "WEFT_MODEL",    "WEFT_DB",          "WEFT_CRASH_AT", "NO_COLOR"};
  options.env["TERM"] = "xterm-256color";
  return options;
}

// vip_outreach with a short observation wait: the durable timer the countdown shows.
std::vector<std::string> vip_run(const std::string& thread, int seconds) {
  return {"run",      "vip_outreach",
          "--thread", thread,
          "--input",  R"({"min_seconds_on_pricing":)" + std::to_string(seconds) + R"(,"require_approval":false})"};
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

bool has_sgr(const std::string& text) { return std::regex_search(text, std::regex("\x1b\\[[0-9;]*m")); }

std::string thread_status(const TempDir& dir, const std::string& thread) {
  auto r = weft::test::run_process(weft::test::weft_binary(), {"threads", "--json"}, offline_in(dir));
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  const json::value threads = json::parse(r.out);
  for (const auto& t : threads.at("threads").as_array()) {
    if (t.at("thread_id").as_string() == thread) return std::string(t.at("status").as_string());
  }
  return "(none)";
}

}  // namespace

TEST_SUITE("terminal") {
  TEST_CASE("on a terminal the status line shows the step, the node and a countdown during the durable wait") {
    TempDir dir;
    auto r = weft::test::run_in_pty(weft::test::weft_binary(), vip_run("v", 2), offline_in(dir));
    REQUIRE_MESSAGE(r.exit_code == weft::cli::kExitDone, r.output);
    // The status line is drawn in place: erase the row, then "[m:ss] step N node ...".
    CHECK(r.output.find("\r\x1b[K") != std::string::npos);
    CHECK(std::regex_search(r.output, std::regex("\\[0:0[0-9]\\] step 1 wait")));
    CHECK(std::regex_search(r.output, std::regex("\\| durable timer 'observation-deadline': [12] s left")));
    CHECK(has_sgr(r.output));  // colour on a terminal without NO_COLOR
  }

  TEST_CASE("the status line is redrawn at most 10 times a second") {
    TempDir dir;
    auto r = weft::test::run_in_pty(weft::test::weft_binary(), vip_run("v", 3), offline_in(dir));
    REQUIRE_MESSAGE(r.exit_code == weft::cli::kExitDone, r.output);
    const double seconds = std::chrono::duration<double>(r.elapsed).count();
    const std::size_t draws = count(r.output, "\r\x1b[K\x1b[2m[") + count(r.output, "\r\x1b[K[");
    CHECK(draws >= 3);  // it was drawn during the 3 s wait (so the bound below is not vacuous)
    // An upper bound only: 10 per second of the run, plus the first draw.
    CHECK_MESSAGE(static_cast<double>(draws) <= 10.0 * seconds + 1.0, draws << " draws in " << seconds << " s");
  }

  TEST_CASE("NO_COLOR keeps the status line but removes every colour") {
    TempDir dir;
    ProcessOptions options = offline_in(dir);
    options.env["NO_COLOR"] = "1";
    auto r = weft::test::run_in_pty(weft::test::weft_binary(), vip_run("v", 1), options);
    REQUIRE_MESSAGE(r.exit_code == weft::cli::kExitDone, r.output);
    CHECK(r.output.find("\r\x1b[K[") != std::string::npos);
    CHECK_FALSE(has_sgr(r.output));
  }

  TEST_CASE("with stderr redirected progress is plain appended lines without control characters") {
    TempDir dir;
    auto r = weft::test::run_process(weft::test::weft_binary(), vip_run("v", 1), offline_in(dir));
    REQUIRE_MESSAGE(r.exit_code == weft::cli::kExitDone, r.err);
    CHECK(std::regex_search(r.err,
                            std::regex("wait: waiting [0-9.]+ s \\(durable timer 'observation-deadline', until ")));
    for (char c : r.err + r.out) {
      const auto u = static_cast<unsigned char>(c);
      CHECK_MESSAGE((u >= 0x20 || c == '\n'), "control character " << int(u) << " in: " << r.err);
    }
  }

  TEST_CASE("spam_triage's lines name each conversation and count triaged of total") {
    TempDir dir;
    auto r =
        weft::test::run_process(weft::test::weft_binary(),
                                {"run", "spam_triage", "--thread", "s", "--input", R"({"limit":4})"}, offline_in(dir));
    REQUIRE_MESSAGE(r.exit_code == weft::cli::kExitDone, r.err);
    CHECK(std::regex_search(
        r.err, std::regex("triage -> results  \\[session_[0-9a-f-]+ \\([^)]+\\)\\]  \\(triaged 1 of 4\\)")));
    CHECK(r.err.find("(triaged 4 of 4)") != std::string::npos);
    CHECK(std::regex_search(r.err, std::regex("triage: tool list_all_crisp_messages ok  \\[session_[0-9a-f-]+ \\(")));
  }

  TEST_CASE("model text written for people streams to stderr and --no-stream turns it off") {
    TempDir dir;
    auto streamed =
        weft::test::run_process(weft::test::weft_binary(), {"run", "kb_enrichment", "--thread", "k"}, offline_in(dir));
    REQUIRE_MESSAGE(streamed.exit_code == weft::cli::kExitInterrupted, streamed.err);
    CHECK(streamed.err.find("\ndraft: {") != std::string::npos);  // the draft article's JSON as it arrives
    CHECK(streamed.err.find("extract: ") == std::string::npos);   // extraction is for the graph, not people

    TempDir quiet_dir;
    auto off = weft::test::run_process(weft::test::weft_binary(),
                                       {"run", "kb_enrichment", "--thread", "k", "--no-stream"}, offline_in(quiet_dir));
    REQUIRE(off.exit_code == weft::cli::kExitInterrupted);
    CHECK(off.err.find("\ndraft: {") == std::string::npos);

    auto quiet = weft::test::run_process(
        weft::test::weft_binary(), {"run", "spam_triage", "--thread", "q", "--quiet", "--input", R"({"limit":2})"},
        offline_in(quiet_dir));
    REQUIRE(quiet.exit_code == weft::cli::kExitDone);
    CHECK(quiet.err.find("step ") == std::string::npos);
    CHECK(quiet.err.find("weft: spam_triage on thread") == std::string::npos);
  }

  TEST_CASE("a draft article is shown as an article with the exact resume commands, --json keeps the raw object") {
    TempDir dir;
    auto r =
        weft::test::run_process(weft::test::weft_binary(), {"run", "kb_enrichment", "--thread", "k"}, offline_in(dir));
    REQUIRE_MESSAGE(r.exit_code == weft::cli::kExitInterrupted, r.err);
    CHECK(r.out.find("[review] Publish this helpdesk article?") != std::string::npos);
    CHECK(std::regex_search(r.out, std::regex("\n    # [^\n]+\n")));  // the title as a heading
    CHECK(r.out.find("\\n") == std::string::npos);                    // no JSON escapes
    CHECK(r.out.find("    weft resume k --resume '{\"action\":\"approve\"}'\n") != std::string::npos);
    CHECK(r.out.find("    weft resume k --resume '{\"action\":\"edit\",\"title\":\"...\",\"text\":\"...\"}'\n") !=
          std::string::npos);  // an article's edit may change its title too
    CHECK(r.out.find("    weft resume k --resume '{\"action\":\"reject\"}'\n") != std::string::npos);

    TempDir json_dir;
    auto j = weft::test::run_process(weft::test::weft_binary(), {"run", "kb_enrichment", "--thread", "k", "--json"},
                                     offline_in(json_dir));
    REQUIRE(j.exit_code == weft::cli::kExitInterrupted);
    auto question = json::parse(j.out).at("interrupts").at(0).at("value");
    CHECK(question.at("subject").at("content").is_string());
  }

  TEST_CASE("Ctrl-C during a durable wait stops the run, prints how to resume, and leaves the thread resumable") {
    TempDir dir;
    bool typed = false;
    auto ctrl_c_at_the_wait = [&typed](const std::string& output) -> std::string {
      if (typed || output.find("s left") == std::string::npos) return {};
      typed = true;
      return "\x03";
    };
    auto r = weft::test::run_in_pty(weft::test::weft_binary(), vip_run("v", 60), offline_in(dir), ctrl_c_at_the_wait);
    REQUIRE(typed);
    CHECK(r.exit_code == 130);
    CHECK(r.output.find("stopped by Ctrl-C") != std::string::npos);
    CHECK(r.output.find("continue it with 'weft resume v'") != std::string::npos);
    const std::string status = thread_status(dir, "v");
    CHECK(status != "running");
    CHECK(status != "(none)");

    // The lease was released (a resume starts at once) and the journaled deadline holds (less than
    // the full minute is left); Ctrl-C again ends this one too.
    typed = false;
    auto resumed =
        weft::test::run_in_pty(weft::test::weft_binary(), {"resume", "v"}, offline_in(dir), ctrl_c_at_the_wait);
    REQUIRE_MESSAGE(typed, resumed.output);
    CHECK(resumed.exit_code == 130);
    CHECK(std::regex_search(resumed.output, std::regex("waiting ([0-9]|[1-5][0-9])(\\.[0-9])? s \\(durable timer")));
    CHECK(thread_status(dir, "v") != "running");
  }

}  // TEST_SUITE
