// SPDX-License-Identifier: MIT
// The command line's contract, checked against its own option table (all_commands()): every
// --help agrees with the parser, every --json is one object with the version, --version, the exit
// code of a missing database, and completion scripts that know every option.

#include "cli/args.hpp"
#include "cli/command.hpp"
#include "cli/exit_code.hpp"
#include "cli/status_line.hpp"
#include "tests/cli/process.hpp"

#include <boost/json/parse.hpp>
#include <doctest/doctest.h>

#include <map>
#include <regex>
#include <sstream>

namespace json = boost::json;
using weft::test::ProcessResult;
using weft::test::TempDir;

namespace {

ProcessResult weft_in(const TempDir& dir, std::vector<std::string> args) {
  weft::test::ProcessOptions options;
  options.cwd = dir.path();
  options.unset_env = {"CRISP_API_IDENTIFIER", "CRISP_API_KEY", "CRISP_WEBSITE_ID", "CRISP_API_URL", "OPENAI_API_KEY",
                       "OPENAI_BASE_URL",      "WEFT_MODEL",    "WEFT_DB",          "WEFT_CRASH_AT"};
  return weft::test::run_process(weft::test::weft_binary(), args, options);
}

bool has_json_option(const weft::cli::CommandSpec& spec) {
  for (const auto& o : spec.options) {
    if (o.name == "json") return true;
  }
  return false;
}

// The options a --help text lists: "  --name VALUE   help" rows of its "options:" section.
std::map<std::string, std::string> options_in_help(const std::string& help) {
  std::map<std::string, std::string> options;
  std::istringstream in(help.substr(help.find("\noptions:\n")));
  std::string line;
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_search(line, m, std::regex("^  --([a-z-]+)( [^ ]+)?"))) {
      options[m[1]] = m[2].matched ? std::string(m[2]).substr(1) : std::string();
    }
  }
  return options;
}

}  // namespace

TEST_CASE("every command's --help, from the binary, lists exactly the options its parser accepts") {
  TempDir dir;
  for (const auto& command : weft::cli::all_commands()) {
    const auto& spec = command.spec;
    CAPTURE(spec.name);
    auto r = weft_in(dir, {spec.name, "--help"});
    REQUIRE(r.exit_code == weft::cli::kExitDone);
    auto listed = options_in_help(r.out);
    listed.erase("help");
    CHECK(listed.size() == spec.options.size());
    for (const auto& [name, value] : listed) {
      CAPTURE(name);
      // The parser accepts what the help shows, with a value exactly when it shows one.
      std::vector<std::string> words;
      for (const auto& p : spec.positionals) words.push_back(p.name == "SHELL" ? "bash" : "x");
      words.push_back("--" + name);
      if (!value.empty()) words.push_back("v");
      for (const auto& o : spec.options) {
        if (o.required && o.name != name) words.insert(words.end(), {"--" + o.name, "v"});
      }
      CHECK_NOTHROW(weft::cli::parse_args(spec, words));
      words.push_back("--no-such-option");
      CHECK_THROWS_AS(weft::cli::parse_args(spec, words), weft::cli::UsageError);
    }
    for (const auto& o : spec.options) {
      CAPTURE(o.name);
      REQUIRE(listed.count(o.name) == 1);
      CHECK(listed.at(o.name) == o.value_name);
      // A required option is unbracketed in the usage line, marked in the list, enforced.
      const std::string usage = r.out.substr(0, r.out.find('\n'));
      const std::string shown = "--" + o.name + (o.value_name.empty() ? "" : " " + o.value_name);
      CHECK((usage.find("[" + shown + "]") == std::string::npos) == o.required);
      if (o.required) {
        CHECK(r.out.find("(required)") != std::string::npos);
        std::vector<std::string> without(spec.positionals.size(), "x");
        CHECK_THROWS_AS(weft::cli::parse_args(spec, without), weft::cli::UsageError);
      }
    }
  }
}

TEST_CASE("fork --help shows --checkpoint as required and fork without it is a usage error") {
  TempDir dir;
  auto help = weft_in(dir, {"fork", "--help"});
  CHECK(help.out.rfind("usage: weft fork THREAD --checkpoint ID [", 0) == 0);
  auto r = weft_in(dir, {"fork", "t"});
  CHECK(r.exit_code == weft::cli::kExitUsage);
  CHECK(r.err.find("missing --checkpoint ID") != std::string::npos);
}

TEST_CASE("every command with --json prints exactly one JSON object carrying the version") {
  TempDir dir;
  auto first = weft_in(dir, {"run", "kb_enrichment", "--thread", "k", "--json"});
  REQUIRE_MESSAGE(first.exit_code == weft::cli::kExitInterrupted, first.err);
  auto history = weft_in(dir, {"history", "k", "--json"});
  REQUIRE(history.exit_code == 0);
  const std::string checkpoint(
      json::parse(history.out).at("checkpoints").as_array().back().at("checkpoint_id").as_string());
  // How each command is called; a command that gains --json must be added here.
  const std::map<std::string, std::vector<std::string>> calls = {
      {"run", {"run", "spam_triage", "--input", R"({"limit":2})"}},
      {"resume", {"resume", "k", "--resume", R"({"action":"reject"})"}},
      {"threads", {"threads"}},
      {"history", {"history", "k"}},
      {"state", {"state", "k"}},
      {"fork", {"fork", "k", "--checkpoint", checkpoint}},
      {"graphs", {"graphs"}},
      {"graph", {"graph", "spam_triage", "--mermaid"}},
      {"tools", {"tools"}},
      {"check", {"check"}},
      {"version", {"version"}},
  };
  for (const auto& command : weft::cli::all_commands()) {
    // The servers (sandbox, fake-llm, serve) run until stopped: their --json line has its own tests.
    const bool server =
        command.spec.name == "sandbox" || command.spec.name == "fake-llm" || command.spec.name == "serve";
    // submit and runs need a PostgreSQL queue: tests/queue checks their --json object.
    const bool queue = command.spec.name == "submit" || command.spec.name == "runs";
    if (!has_json_option(command.spec) || server || queue) continue;
    CAPTURE(command.spec.name);
    REQUIRE(calls.count(command.spec.name) == 1);
    auto args = calls.at(command.spec.name);
    args.push_back("--json");
    auto r = weft_in(dir, args);
    CHECK_MESSAGE(r.exit_code != weft::cli::kExitUsage, r.err);
    boost::system::error_code ec;
    json::value v = json::parse(r.out, ec);  // one value and nothing after it
    REQUIRE_MESSAGE(!ec, r.out);
    REQUIRE(v.is_object());
    CHECK(v.at("version").is_string());
  }
  auto tools = json::parse(weft_in(dir, {"tools", "--json"}).out);
  CHECK(tools.at("tools").as_array().size() >= 30);
  CHECK(json::parse(weft_in(dir, {"graph", "spam_triage", "--mermaid", "--json"}).out).at("mermaid").is_string());
}

TEST_CASE("weft --version prints the project version") {
  TempDir dir;
  auto r = weft_in(dir, {"--version"});
  CHECK(r.exit_code == 0);
  CHECK(std::regex_match(r.out, std::regex("weft [0-9]+\\.[0-9]+\\.[0-9]+\n")));
  auto j = weft_in(dir, {"version", "--json"});
  CHECK(r.out == "weft " + std::string(json::parse(j.out).at("version").as_string()) + "\n");
}

TEST_CASE("a missing database is exit 2 for every command that reads one") {
  TempDir dir;
  for (std::vector<std::string> args : {std::vector<std::string>{"threads"},
                                        {"history", "t"},
                                        {"state", "t"},
                                        {"check"},
                                        {"resume", "t"},
                                        {"fork", "t", "--checkpoint", "c"}}) {
    CAPTURE(args.front());
    auto r = weft_in(dir, args);
    CHECK(r.exit_code == weft::cli::kExitUsage);
    CHECK(r.err.find("no database at 'weft.db'") != std::string::npos);
  }
}

TEST_CASE("completion scripts offer every command and each command's options") {
  TempDir dir;
  for (const char* shell : {"bash", "zsh"}) {
    auto r = weft_in(dir, {"completion", shell});
    REQUIRE(r.exit_code == 0);
    for (const auto& command : weft::cli::all_commands()) {
      CHECK(r.out.find(" " + command.spec.name + ") options=\"") != std::string::npos);
      for (const auto& o : command.spec.options) CHECK(r.out.find("--" + o.name) != std::string::npos);
    }
    CHECK(r.out.find("complete -F _weft weft") != std::string::npos);
  }
  CHECK(weft_in(dir, {"completion", "fish"}).exit_code == weft::cli::kExitUsage);
}

TEST_CASE("the status line is redrawn at most every 100 ms however many events arrive") {
  std::ostringstream out;
  auto now = std::chrono::steady_clock::time_point{};
  weft::cli::StatusLine status(out, weft::cli::TerminalMode{true, false, 80}, [&now] { return now; });
  for (int i = 0; i < 1000; ++i) {  // 1000 events over one second
    status.set_progress("triaged " + std::to_string(i) + " of 1000");
    status.print("line " + std::to_string(i));
    now += std::chrono::milliseconds(1);
  }
  CHECK(status.redraws() >= 2);
  CHECK(status.redraws() <= 11);
}

TEST_CASE("untrusted text reaches the terminal without control sequences") {
  CHECK(weft::cli::printable("a\x1b[31mb\x07\rc\xc2\x9b"
                             "d") == "a[31mbcd");
  CHECK(weft::cli::printable("one\ntwo\tthree", true) == "one\ntwo\tthree");
  CHECK(weft::cli::printable("one\ntwo") == "one two");
}
