// SPDX-License-Identifier: MIT
// `weft fake-llm`: the scripted OpenAI-compatible server as a command of weft (it replaced the
// separate weft-fake-llm executable, which scripts/demo.sh did not build).

#include "cli/exit_code.hpp"
#include "sandbox/http/client.hpp"
#include "tests/cli/process.hpp"

#include <boost/json/parse.hpp>
#include <doctest/doctest.h>

#include <fstream>

namespace json = boost::json;
using weft::test::BackgroundProcess;
using weft::test::TempDir;

TEST_CASE("weft fake-llm serves its script on a free port and stops cleanly on SIGTERM") {
  TempDir dir;
  std::ofstream(dir.file("script.json")) << R"(["Hello from the script."])";
  BackgroundProcess llm(weft::test::weft_binary(),
                        {"fake-llm", "--script", dir.file("script.json"), "--model", "tiny", "--json"});
  const json::value started = json::parse(llm.read_line());
  const std::string base_url(started.at("base_url").as_string());
  CHECK(started.at("model") == "tiny");
  CHECK(started.at("script_entries_left") == 1);
  REQUIRE(base_url.rfind("http://127.0.0.1:", 0) == 0);

  const auto port = static_cast<std::uint16_t>(std::stoi(base_url.substr(17, base_url.find('/', 17) - 17)));
  weft::sandbox::http::Client client("127.0.0.1", port);
  auto answer =
      client.request("POST", "/v1/chat/completions", R"({"model":"tiny","messages":[{"role":"user","content":"hi"}]})",
                     {{"Content-Type", "application/json"}});
  REQUIRE(answer.status == 200);
  CHECK(json::parse(answer.body).at("choices").at(0).at("message").at("content") == "Hello from the script.");
  CHECK(llm.stop() == weft::cli::kExitDone);
}

TEST_CASE("weft fake-llm refuses a missing script, a malformed script and a bad rate limit with exit 2") {
  TempDir dir;
  std::ofstream(dir.file("bad.json")) << R"({"not": "an array"})";
  auto missing = weft::test::run_process(weft::test::weft_binary(), {"fake-llm"});
  CHECK(missing.exit_code == weft::cli::kExitUsage);
  CHECK(missing.err.find("--script FILE is required") != std::string::npos);
  auto unreadable = weft::test::run_process(weft::test::weft_binary(), {"fake-llm", "--script", dir.file("none.json")});
  CHECK(unreadable.exit_code == weft::cli::kExitUsage);
  CHECK(unreadable.err.find("cannot read script file") != std::string::npos);
  auto malformed = weft::test::run_process(weft::test::weft_binary(), {"fake-llm", "--script", dir.file("bad.json")});
  CHECK(malformed.exit_code == weft::cli::kExitUsage);
  CHECK(malformed.err.find("expected a JSON array") != std::string::npos);
  auto limit = weft::test::run_process(weft::test::weft_binary(),
                                       {"fake-llm", "--script", dir.file("bad.json"), "--rate-limit", "ten"});
  CHECK(limit.exit_code == weft::cli::kExitUsage);
  CHECK(limit.err.find("--rate-limit 'ten' is not N/MS") != std::string::npos);
  auto port = weft::test::run_process(weft::test::weft_binary(),
                                      {"fake-llm", "--script", dir.file("bad.json"), "--port", "70000"});
  CHECK(port.exit_code == weft::cli::kExitUsage);
}
