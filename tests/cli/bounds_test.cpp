// SPDX-License-Identifier: MIT
// Bounded actions and honest outcomes, through the real `weft` binary against a `weft sandbox`
// process (and the fake LLM for refusals and request bodies): one model answer with 2,000 tool
// calls makes at most the per-turn cap of Crisp requests; 100 message calls send at most the
// budget; a 429 storm that fails every write ends "done with failures" (exit 4), not done; a
// refusal is reported as such; no temperature is sent unless configured.

#include "cli/exit_code.hpp"
#include "sandbox/http/client.hpp"
#include "tests/cli/process.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

namespace json = boost::json;
using weft::test::BackgroundProcess;
using weft::test::ProcessOptions;
using weft::test::ProcessResult;
using weft::test::run_process;
using weft::test::TempDir;
using weft::test::weft_binary;

namespace {

const std::vector<std::string> kCleanEnv = {"CRISP_API_IDENTIFIER", "CRISP_API_KEY",   "CRISP_WEBSITE_ID",
                                            "CRISP_API_URL",        "OPENAI_API_KEY",  "OPENAI_BASE_URL",
                                            "WEFT_MODEL",           "WEFT_DB",         "WEFT_CRASH_AT",
                                            "WEFT_TEMPERATURE",     "WEFT_MAX_TOKENS", "WEFT_TOKEN_LIMIT_FIELD"};

// A `weft sandbox` process and what `weft run` needs to reach it.
struct SandboxProcess {
  explicit SandboxProcess(const TempDir& dir, const std::string& faults = {})
      : process(weft_binary(), args(dir, faults), clean()) {
    json::object info = json::parse(process.read_line()).as_object();
    api_url = std::string(info.at("api_url").as_string());
    identifier = std::string(info.at("identifier").as_string());
    key = std::string(info.at("key").as_string());
    website_id = std::string(info.at("website_id").as_string());
  }

  static ProcessOptions clean() {
    ProcessOptions o;
    o.unset_env = kCleanEnv;
    return o;
  }
  static std::vector<std::string> args(const TempDir& dir, const std::string& faults) {
    std::vector<std::string> a{"sandbox", "--port", "0", "--state", dir.file("sandbox.json"), "--json"};
    if (!faults.empty()) {
      a.push_back("--faults");
      a.push_back(faults);
    }
    return a;
  }

  weft::sandbox::http::Client client() const {
    const std::string rest = api_url.substr(std::string("http://").size());
    const auto colon = rest.find(':');
    return weft::sandbox::http::Client(rest.substr(0, colon),
                                       static_cast<std::uint16_t>(std::stoi(rest.substr(colon + 1))));
  }
  json::value admin(const std::string& path) const {
    auto answer = client().request("GET", path, {}, {});
    REQUIRE_MESSAGE(answer.status == 200, answer.body);
    return json::parse(answer.body);
  }
  std::string first_session() const {
    auto answer = client().request(
        "GET", "/v1/website/" + website_id + "/conversations/1", {},
        {{"Authorization", weft::sandbox::http::basic_auth(identifier, key)}, {"X-Crisp-Tier", "plugin"}});
    REQUIRE_MESSAGE(answer.status == 200, answer.body);
    return std::string(json::parse(answer.body).at("data").at(0).at("session_id").as_string());
  }
  ProcessOptions weft_env() const {
    ProcessOptions o = clean();
    o.env = {{"CRISP_API_IDENTIFIER", identifier}, {"CRISP_API_KEY", key}, {"CRISP_WEBSITE_ID", website_id}};
    return o;
  }

  BackgroundProcess process;
  std::string api_url, identifier, key, website_id;
};

// Writes a support_agent script answering by turn.
std::string write_script(const TempDir& dir, json::array replies) {
  const std::string path = dir.file("agent.json");
  std::ofstream(path) << json::serialize(json::object{{"order", "turns"}, {"replies", std::move(replies)}});
  return path;
}

ProcessResult run_agent(const SandboxProcess& sandbox, const TempDir& dir, const std::string& input,
                        const std::vector<std::string>& extra) {
  std::vector<std::string> args{"run",   "support_agent", "--thread",      "t",    "--input",
                                input,   "--crisp",       sandbox.api_url, "--db", dir.file("weft.db"),
                                "--json"};
  for (const auto& a : extra) args.push_back(a);
  return run_process(weft_binary(), args, sandbox.weft_env());
}

json::object message_call(const std::string& session, const std::string& text) {
  return json::object{
      {"name", "create_a_crisp_message"},
      {"arguments",
       json::object{
           {"session_id", session}, {"type", "text"}, {"from", "operator"}, {"origin", "chat"}, {"content", text}}}};
}

std::size_t count_effects(const json::value& effects, const std::string& method, const std::string& suffix) {
  std::size_t n = 0;
  for (const auto& e : effects.at("effects").as_array()) {
    const std::string path(e.at("path").as_string());
    if (std::string(e.at("method").as_string()) == method && path.size() >= suffix.size() &&
        path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0)
      ++n;
  }
  return n;
}

}  // namespace

TEST_CASE("one model answer with 2000 tool calls makes at most the per-turn cap of Crisp requests") {
  TempDir dir;
  SandboxProcess sandbox(dir);
  json::array calls;
  for (int i = 0; i < 2000; ++i)
    calls.push_back(
        json::object{{"name", "list_all_crisp_conversations"}, {"arguments", json::object{{"page_number", 1}}}});
  json::array replies;
  replies.push_back(json::object{{"tool_calls", std::move(calls)}});
  replies.push_back("Listed the conversations.");
  const std::string script = write_script(dir, std::move(replies));
  const auto before = sandbox.admin("/_sandbox/requests").at("total").to_number<std::int64_t>();
  auto r = run_agent(sandbox, dir, R"({"instruction":"List the conversations.","max_tool_calls_per_turn":7})",
                     {"--model", "scripted:" + script});
  REQUIRE_MESSAGE(r.exit_code == weft::cli::kExitDone, r.err);
  const auto made = sandbox.admin("/_sandbox/requests").at("total").to_number<std::int64_t>() - before;
  CHECK(made >= 1);
  CHECK(made <= 7);
  const std::string summary(json::parse(r.out).at("summary").as_string());
  CHECK(summary.find("Refused: 1993 tool call(s) over the per-turn cap") != std::string::npos);
}

TEST_CASE("one model answer with 100 message calls sends at most the message budget of the run") {
  TempDir dir;
  SandboxProcess sandbox(dir);
  const std::string session = sandbox.first_session();
  json::array calls;
  for (int i = 0; i < 100; ++i) calls.push_back(message_call(session, "Message number " + std::to_string(i)));
  json::array replies;
  replies.push_back(json::object{{"tool_calls", std::move(calls)}});
  replies.push_back("Sent what I could.");
  const std::string script = write_script(dir, std::move(replies));
  auto r = run_agent(
      sandbox, dir,
      R"({"instruction":"Message everyone.","allow_write_tools":["create_a_crisp_message"],"max_tool_calls_per_turn":100})",
      {"--model", "scripted:" + script});
  REQUIRE_MESSAGE(r.exit_code == weft::cli::kExitDone, r.err);
  CHECK(count_effects(sandbox.admin("/_sandbox/effects"), "POST", "/message") == 3);
  const std::string summary(json::parse(r.out).at("summary").as_string());
  CHECK(summary.find("Refused: 97 call(s) of create_a_crisp_message over its budget") != std::string::npos);
}

TEST_CASE("support_agent under a 429 storm that fails every tool call ends done with failures and exit 4") {
  TempDir dir;
  SandboxProcess sandbox(dir, "storm_429=1000000,storm_retry_after=0");
  // The storm answers everything 429, so the session id only needs the right shape.
  json::array replies;
  replies.push_back(json::object{
      {"tool_calls", json::array{message_call("session_00000000-0000-4000-8000-000000000001", "We are on it."),
                                 json::object{{"name", "list_all_crisp_conversations"},
                                              {"arguments", json::object{{"page_number", 1}}}}}}});
  replies.push_back("I answered the customer.");
  const std::string script = write_script(dir, std::move(replies));
  // 429s are a pace, bounded by time: give up on them after 2 s instead of the default 300.
  auto r = run_agent(sandbox, dir,
                     R"({"instruction":"Answer the customer.","allow_write_tools":["create_a_crisp_message"]})",
                     {"--model", "scripted:" + script, "--rate-limit-wait", "2"});
  CHECK_MESSAGE(r.exit_code == weft::cli::kExitDoneWithFailures, r.err);
  const json::value out = json::parse(r.out);
  CHECK(out.at("status") == "done_with_failures");
  CHECK(out.at("outcome").at("status") == "failed_actions");
  CHECK(out.at("outcome").at("failed_tool_calls") == 2);
  REQUIRE(out.at("outcome").at("failed_actions").as_array().size() == 1);
  CHECK(out.at("outcome").at("failed_actions").at(0).at("tool") == "create_a_crisp_message");
  const std::string summary(out.at("summary").as_string());
  CHECK(summary.find("Failed actions (1):") != std::string::npos);
  CHECK(summary.find("Every tool call failed (2)") != std::string::npos);
  CHECK(sandbox.admin("/_sandbox/effects").at("effects").as_array().empty());

  // The thread is done; resuming it reports the same outcome and exit code.
  auto again = run_process(weft_binary(), {"resume", "t", "--db", dir.file("weft.db"), "--json"}, sandbox.weft_env());
  CHECK_MESSAGE(again.exit_code == weft::cli::kExitDoneWithFailures, again.err);
  CHECK(json::parse(again.out).at("status") == "done_with_failures");
}

namespace {

// Runs support_agent on the fake LLM answering `script`; returns the run and the request bodies.
std::pair<ProcessResult, std::vector<json::object>> run_on_fake_llm(const std::string& script_json,
                                                                    const std::vector<std::string>& extra) {
  TempDir dir;
  std::ofstream(dir.file("script.json")) << script_json;
  ProcessOptions clean;
  clean.unset_env = kCleanEnv;
  BackgroundProcess llm(
      WEFT_BINARY,
      {"fake-llm", "--script", dir.file("script.json"), "--port", "0", "--record", dir.file("requests.jsonl")}, clean);
  const std::string line = llm.read_line();
  REQUIRE(line.rfind("OPENAI_BASE_URL=", 0) == 0);
  ProcessOptions options = clean;
  options.cwd = dir.path();
  options.env["OPENAI_BASE_URL"] = line.substr(16);
  std::vector<std::string> args{"run", "support_agent", "--input",
                                R"({"instruction":"How many unread conversations?"})", "--json"};
  for (const auto& a : extra) args.push_back(a);
  ProcessResult r = run_process(weft_binary(), args, options);
  REQUIRE(llm.stop() == 0);
  std::vector<json::object> bodies;
  std::ifstream recorded(dir.file("requests.jsonl"));
  for (std::string l; std::getline(recorded, l);) {
    const json::value request = json::parse(l);
    if (request.at("path") == "/v1/chat/completions")
      bodies.push_back(json::parse(request.at("body").as_string()).as_object());
  }
  return {std::move(r), std::move(bodies)};
}

const char* const kListThenAnswer = R"([
  {"reply": {"content": null, "tool_calls": [{"name": "list_all_crisp_conversations", "arguments": {"page_number": 1}}]}},
  {"match": {"after_tool": true}, "reply": {"content": "There are unread conversations."}}
])";

}  // namespace

TEST_CASE("support_agent sends no temperature or token cap to the LLM unless configured") {
  auto [r, bodies] = run_on_fake_llm(kListThenAnswer, {});
  REQUIRE_MESSAGE(r.exit_code == weft::cli::kExitDone, r.err);
  REQUIRE(bodies.size() == 2);
  for (const auto& body : bodies) {
    CHECK_FALSE(body.contains("temperature"));
    CHECK_FALSE(body.contains("max_tokens"));
    CHECK_FALSE(body.contains("max_completion_tokens"));
  }
}

TEST_CASE("--temperature and --max-tokens reach every LLM request of a run") {
  auto [r, bodies] = run_on_fake_llm(kListThenAnswer, {"--temperature", "0.25", "--max-tokens", "300"});
  REQUIRE_MESSAGE(r.exit_code == weft::cli::kExitDone, r.err);
  REQUIRE(bodies.size() == 2);
  for (const auto& body : bodies) {
    CHECK(body.at("temperature").to_number<double>() == doctest::Approx(0.25));
    CHECK(body.at("max_tokens") == 300);
  }
}

TEST_CASE("a model refusal ends support_agent with the refusal and exit 4, not 'no final answer'") {
  auto [r, bodies] = run_on_fake_llm(R"([{"reply": {"content": null, "refusal": "I can't help with that."}}])", {});
  CHECK_MESSAGE(r.exit_code == weft::cli::kExitDoneWithFailures, r.err);
  const json::value out = json::parse(r.out);
  CHECK(out.at("status") == "done_with_failures");
  CHECK(out.at("outcome").at("status") == "refused");
  const std::string summary(out.at("summary").as_string());
  CHECK(summary.rfind("The model refused: I can't help with that.", 0) == 0);
  CHECK(bodies.size() == 1);
}

TEST_CASE("a bad --temperature is a usage error") {
  TempDir dir;
  ProcessOptions options;
  options.unset_env = kCleanEnv;
  options.cwd = dir.path();
  auto r = run_process(weft_binary(),
                       {"run", "support_agent", "--input", R"({"instruction":"x"})", "--temperature", "hot"}, options);
  CHECK(r.exit_code == weft::cli::kExitUsage);
  CHECK(r.err.find("--temperature 'hot' is not a number from 0 to 2") != std::string::npos);
}
