// SPDX-License-Identifier: MIT
#include "cli/args.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using weft::cli::CommandSpec;
using weft::cli::parse_args;
using weft::cli::UsageError;

namespace {

CommandSpec run_spec() {
  return CommandSpec{"run",
                     "Runs a graph.",
                     {{"GRAPH", "the graph", true}},
                     {{"thread", "ID", "thread id"}, {"json", "", "machine output"}, {"input", "JSON", "input"}},
                     ""};
}

weft::cli::ParsedArgs parse(std::vector<std::string> words) { return parse_args(run_spec(), words); }

}  // namespace

TEST_CASE("options with values are read in both --name VALUE and --name=VALUE forms") {
  auto a = parse({"spam_triage", "--thread", "t1", "--input={\"limit\":3}"});
  CHECK(a.positional(0) == "spam_triage");
  CHECK(a.get("thread") == "t1");
  CHECK(a.get("input") == "{\"limit\":3}");
  CHECK_FALSE(a.has("json"));
}

TEST_CASE("a flag is recorded without consuming the next word") {
  auto a = parse({"--json", "spam_triage"});
  CHECK(a.has("json"));
  CHECK(a.positional(0) == "spam_triage");
}

TEST_CASE("an unknown option is a usage error that names it and points at --help") {
  CHECK_THROWS_WITH_AS(parse({"g", "--bogus"}), "unknown option '--bogus' for 'weft run'; see 'weft run --help'",
                       UsageError);
  CHECK_THROWS_AS(parse({"g", "-x"}), UsageError);
}

TEST_CASE("an option missing its value says which value it needs") {
  CHECK_THROWS_WITH_AS(parse({"g", "--thread"}), "option '--thread' needs a value (ID); see 'weft run --help'",
                       UsageError);
}

TEST_CASE("a flag given a value is rejected") { CHECK_THROWS_AS(parse({"g", "--json=1"}), UsageError); }

TEST_CASE("a missing required positional shows the usage line") {
  try {
    parse({"--json"});
    FAIL("expected a usage error");
  } catch (const UsageError& e) {
    std::string msg = e.what();
    CHECK(msg.find("missing GRAPH") == 0);
    CHECK(msg.find("usage: weft run GRAPH") != std::string::npos);
  }
}

TEST_CASE("too many positionals are rejected") { CHECK_THROWS_AS(parse({"a", "b"}), UsageError); }

TEST_CASE("--help wins over other mistakes so help is always reachable") {
  auto a = parse({"--bogus", "--help"});
  CHECK(a.help);
}

TEST_CASE("words after -- are positionals even when they start with a dash") {
  auto a = parse({"--", "--weird-graph"});
  CHECK(a.positional(0) == "--weird-graph");
}

TEST_CASE("help text lists every option and the positional") {
  std::string help = weft::cli::format_help(run_spec());
  CHECK(help.find("usage: weft run GRAPH") == 0);
  CHECK(help.find("--thread ID") != std::string::npos);
  CHECK(help.find("--json") != std::string::npos);
  CHECK(help.find("GRAPH") != std::string::npos);
}
