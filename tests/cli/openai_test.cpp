// SPDX-License-Identifier: MIT
// `weft run` with OPENAI_BASE_URL set: the real OpenAI-compatible client against the fake LLM
// server (`weft fake-llm`) in another process, with a rate-limited first answer.

#include "cli/exit_code.hpp"
#include "tests/cli/process.hpp"

#include <boost/json/parse.hpp>
#include <doctest/doctest.h>

#include <fstream>

namespace json = boost::json;
using weft::test::BackgroundProcess;
using weft::test::ProcessOptions;
using weft::test::TempDir;

TEST_CASE("with OPENAI_BASE_URL set, support_agent runs its tool loop on the LLM and waits out a 429") {
  TempDir dir;
  {
    std::ofstream script(dir.file("script.json"));
    script << R"([
      {"fault": {"status": 429, "headers": {"Retry-After": "0"}}},
      {"reply": {"content": null, "tool_calls": [{"name": "list_all_crisp_conversations", "arguments": {"page_number": 1, "filter_unread": 1}}]}},
      {"match": {"after_tool": true}, "reply": {"content": "There are unread conversations; nothing else was needed."}}
    ])";
  }
  ProcessOptions clean;
  clean.unset_env = {"CRISP_API_IDENTIFIER", "CRISP_API_KEY", "CRISP_WEBSITE_ID", "CRISP_API_URL", "OPENAI_API_KEY",
                     "OPENAI_BASE_URL",      "WEFT_MODEL",    "WEFT_DB",          "WEFT_CRASH_AT"};
  BackgroundProcess llm(weft::test::weft_binary(), {"fake-llm", "--script", dir.file("script.json"), "--port", "0"},
                        clean);
  std::string line = llm.read_line();
  REQUIRE(line.rfind("OPENAI_BASE_URL=", 0) == 0);

  ProcessOptions options = clean;
  options.cwd = dir.path();
  options.env["OPENAI_BASE_URL"] = line.substr(16);
  auto r = weft::test::run_process(
      weft::test::weft_binary(),
      {"run", "support_agent", "--input", R"({"instruction":"How many unread conversations?"})", "--json"}, options);
  REQUIRE_MESSAGE(r.exit_code == weft::cli::kExitDone, r.err);
  CHECK(r.err.find("model openai:") != std::string::npos);
  CHECK(r.err.find("429") != std::string::npos);  // the rate-limit wait was shown
  auto summary = std::string(json::parse(r.out).at("summary").as_string());
  CHECK(summary.find("There are unread conversations") != std::string::npos);
  CHECK(summary.find("list_all_crisp_conversations (success)") != std::string::npos);
}
