// SPDX-License-Identifier: MIT
// The built `weft` binary, spawned as a user would run it.

#include "cli/exit_code.hpp"
#include "tests/cli/process.hpp"

#include <doctest/doctest.h>

#include <algorithm>

using weft::test::run_process;
using weft::test::weft_binary;

namespace {

std::size_t lines(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

}  // namespace

TEST_CASE("weft --help lists the commands and exits 0") {
  auto r = run_process(weft_binary(), {"--help"});
  CHECK(r.exit_code == weft::cli::kExitDone);
  CHECK(r.out.find("usage: weft COMMAND") == 0);
  CHECK(r.out.find("exit codes:") != std::string::npos);
}

TEST_CASE("weft without a command is a usage error that points at --help") {
  auto r = run_process(weft_binary(), {});
  CHECK(r.exit_code == weft::cli::kExitUsage);
  CHECK(r.err.find("weft: error: missing COMMAND; run 'weft --help'") != std::string::npos);
}

TEST_CASE("an unknown command is one error line and exit code 2") {
  auto r = run_process(weft_binary(), {"frobnicate"});
  CHECK(r.exit_code == weft::cli::kExitUsage);
  CHECK(lines(r.err) == 1);
  CHECK(r.err == "weft: error: unknown command 'frobnicate'; run 'weft --help' for the list\n");
  CHECK(r.out.empty());
}
