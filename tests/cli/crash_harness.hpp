// SPDX-License-Identifier: MIT
#pragma once
// The crash harness: each built-in graph runs in a child `weft` process against a Crisp sandbox
// in another process (its state kept in a file), is killed with SIGKILL at a named crash point
// (after the Nth checkpoint or task write, right after a side effect was marked started, or right
// after it ran but before its result was recorded), and is resumed with `weft resume`; then the
// final summary and the sandbox's effect log are compared with an uncrashed run's (every POST
// exactly as often, every state-setting PATCH/PUT with the same bodies). support_agent runs on a
// scripted model that answers by turn, so its tool calls (and their fingerprints) are the same in
// every run.

#include "cli/exit_code.hpp"
#include "sandbox/http/client.hpp"
#include "tests/cli/process.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <doctest/doctest.h>

#include <csignal>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>

namespace json = boost::json;
using weft::test::BackgroundProcess;
using weft::test::ProcessOptions;
using weft::test::run_process;
using weft::test::TempDir;
using weft::test::weft_binary;

namespace crash_harness {

struct SandboxInfo {
  std::string api_url;
  std::string identifier;
  std::string key;
  std::string website_id;
};

/// Writes what a scenario needs from the running sandbox (a model script naming its real ids)
/// into `dir` and returns the extra `weft run` arguments.
using Preparation = std::function<std::vector<std::string>(const SandboxInfo&, const TempDir&)>;

struct Scenario {
  std::string graph;
  std::string input;
  Preparation prepare;  // optional
  /// The graph creates conversations, whose session ids Crisp generates: a create that a crash
  /// left in doubt cannot be checked (catalog: create_a_crisp_conversation is journal_only,
  /// rerun) and may leave one extra empty conversation, so ids of created conversations are
  /// compared as "session_*" and one extra create is tolerated. Messages are still exactly once.
  bool creates_conversations = false;
};

struct Outcome {
  bool crashed = false;  // the crash point was reached (SIGKILL)
  std::string summary;
  std::multiset<std::string> posts;  // "POST path body" of effective writes
  std::set<std::string> updates;     // "PATCH/PUT path body"
  int resumes = 0;
};

const std::vector<std::string> kCleanEnv = {"CRISP_API_IDENTIFIER", "CRISP_API_KEY",  "CRISP_WEBSITE_ID",
                                            "CRISP_API_URL",        "OPENAI_API_KEY", "OPENAI_BASE_URL",
                                            "WEFT_MODEL",           "WEFT_DB",        "WEFT_CRASH_AT"};

inline void collect_writes(const std::string& state_file, Outcome& outcome) {
  std::ifstream in(state_file);
  std::stringstream buf;
  buf << in.rdbuf();
  json::value state = json::parse(buf.str());
  std::function<void(const json::value&)> walk = [&](const json::value& v) {
    if (!v.is_object()) return;
    for (const auto& [k, x] : v.as_object()) {
      if (k == "effects" && x.is_array()) {
        for (const auto& e : x.as_array()) {
          auto status = e.at("status").to_number<int>();
          if (status < 200 || status >= 300 || e.at("replayed") == true) continue;
          std::string key = std::string(e.at("method").as_string()) + " " + std::string(e.at("path").as_string()) +
                            " " + json::serialize(e.at("body"));
          if (e.at("method") == "POST") {
            outcome.posts.insert(key);
          } else {
            outcome.updates.insert(key);
          }
        }
      } else {
        walk(x);
      }
    }
  };
  walk(state);
}

inline weft::sandbox::http::Client sandbox_client(const SandboxInfo& sandbox) {
  // api_url is "http://127.0.0.1:PORT/v1/".
  const std::string rest = sandbox.api_url.substr(std::string("http://").size());
  const auto colon = rest.find(':');
  return weft::sandbox::http::Client(rest.substr(0, colon),
                                     static_cast<std::uint16_t>(std::stoi(rest.substr(colon + 1))));
}

// POST /_sandbox/faults with a --faults spec ("storm_429=12,error_next=3") as JSON.
inline void set_faults(const SandboxInfo& sandbox, const std::string& spec) {
  json::object faults;
  std::stringstream items(spec);
  std::string item;
  while (std::getline(items, item, ',')) {
    const auto eq = item.find('=');
    REQUIRE(eq != std::string::npos);
    const double value = std::stod(item.substr(eq + 1));
    if (value == static_cast<double>(static_cast<std::int64_t>(value))) {
      faults[item.substr(0, eq)] = static_cast<std::int64_t>(value);
    } else {
      faults[item.substr(0, eq)] = value;
    }
  }
  auto client = sandbox_client(sandbox);
  auto answer =
      client.request("POST", "/_sandbox/faults", json::serialize(faults), {{"Content-Type", "application/json"}});
  REQUIRE_MESSAGE(answer.status == 200, answer.body);
}

/// Called after the first `weft run` with its arguments and (uncrashing) environment.
using AfterFirstRun = std::function<void(const std::vector<std::string>& run_args, const ProcessOptions& options)>;

inline Outcome run_scenario(const Scenario& scenario, const std::string& crash_at, const std::string& faults = {},
                            const std::string& durability = "sync", const AfterFirstRun& after_first = {}) {
  TempDir dir;
  ProcessOptions sandbox_options;
  sandbox_options.unset_env = kCleanEnv;
  std::vector<std::string> sandbox_args{"sandbox", "--port", "0", "--state", dir.file("sandbox.json"), "--json"};
  // A scenario that reads ids from the sandbox first gets its faults only afterwards, all of them
  // for the run.
  const bool faults_after_prepare = scenario.prepare && !faults.empty();
  if (!faults.empty() && !faults_after_prepare) {
    sandbox_args.push_back("--faults");
    sandbox_args.push_back(faults);
  }
  BackgroundProcess sandbox(weft_binary(), sandbox_args, sandbox_options);
  json::object info = json::parse(sandbox.read_line()).as_object();

  ProcessOptions options;
  options.unset_env = kCleanEnv;
  options.env = {{"CRISP_API_IDENTIFIER", std::string(info.at("identifier").as_string())},
                 {"CRISP_API_KEY", std::string(info.at("key").as_string())},
                 {"CRISP_WEBSITE_ID", std::string(info.at("website_id").as_string())}};
  const std::string db = dir.file("weft.db");
  const std::string api = std::string(info.at("api_url").as_string());
  ProcessOptions crashing = options;
  if (!crash_at.empty()) crashing.env["WEFT_CRASH_AT"] = crash_at;

  std::vector<std::string> run_args{"run",          scenario.graph, "--thread", "t",    "--input",
                                    scenario.input, "--crisp",      api,        "--db", db,
                                    "--durability", durability};
  if (scenario.prepare) {
    SandboxInfo sandbox_info{api, std::string(info.at("identifier").as_string()),
                             std::string(info.at("key").as_string()), std::string(info.at("website_id").as_string())};
    for (auto& arg : scenario.prepare(sandbox_info, dir)) run_args.push_back(std::move(arg));
    if (faults_after_prepare) set_faults(sandbox_info, faults);
  }
  Outcome outcome;
  auto first = run_process(weft_binary(), run_args, crashing);
  outcome.crashed = first.signal == SIGKILL;
  int code = first.exit_code;
  if (after_first) after_first(run_args, options);
  if (crash_at.empty() && faults.empty()) REQUIRE_MESSAGE(code == weft::cli::kExitDone, first.err);
  // Resume until done: a crash, or a failure after the HTTP layer gave up under faults, leaves the
  // thread resumable. Until the crash point is reached, resumes carry it too (it counts within
  // one process): under a long storm the first process may fail before its Nth effect, and the
  // crash must still happen somewhere.
  if (code != weft::cli::kExitDone)
    REQUIRE_MESSAGE((first.signal == SIGKILL || code == weft::cli::kExitFailed), crash_at << ": " << first.err);
  while (code != weft::cli::kExitDone && outcome.resumes < 8) {
    auto resumed = run_process(weft_binary(), {"resume", "t", "--db", db},
                               !crash_at.empty() && !outcome.crashed ? crashing : options);
    ++outcome.resumes;
    outcome.crashed = outcome.crashed || resumed.signal == SIGKILL;
    code = resumed.exit_code;
    if (resumed.signal != SIGKILL && code != weft::cli::kExitDone && code != weft::cli::kExitFailed)
      FAIL(crash_at << ": resume: " << resumed.err);
  }
  REQUIRE_MESSAGE(code == weft::cli::kExitDone, crash_at << ": never finished: " << first.err);
  auto state = run_process(weft_binary(), {"state", "t", "--json", "--db", db}, options);
  REQUIRE_MESSAGE(state.exit_code == 0, state.err);
  outcome.summary = std::string(json::parse(state.out).at("values").at("summary").as_string());
  sandbox.stop();
  collect_writes(dir.file("sandbox.json"), outcome);
  return outcome;
}

inline std::string without_session_ids(const std::string& text) {
  static const std::regex session("session_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  return std::regex_replace(text, session, "session_*");
}

template <class Set>
Set normalized(const Set& keys) {
  Set out;
  for (const auto& k : keys) out.insert(without_session_ids(k));
  return out;
}

inline void check_same(const Outcome& baseline, const Outcome& crashed, const std::string& point,
                       bool creates_conversations = false) {
  INFO("crash point " << point);
  if (!creates_conversations) {
    CHECK(crashed.summary == baseline.summary);
    CHECK(crashed.posts == baseline.posts);
    CHECK(crashed.updates == baseline.updates);
    return;
  }
  CHECK(without_session_ids(crashed.summary) == without_session_ids(baseline.summary));
  auto posts = normalized(crashed.posts);
  auto expected = normalized(baseline.posts);
  auto is_create = [](const std::string& k) {
    return k.find("/conversation {}") != std::string::npos || k.ends_with("/conversation null");
  };
  std::size_t creates = 0, expected_creates = 0;
  for (const auto& k : posts) creates += is_create(k);
  for (const auto& k : expected) expected_creates += is_create(k);
  CHECK(creates >= expected_creates);
  CHECK(creates <= expected_creates + 1);
  std::erase_if(posts, is_create);
  std::erase_if(expected, is_create);
  CHECK(posts == expected);  // every message exactly once, with the same fingerprint and text
  CHECK(normalized(crashed.updates) == normalized(baseline.updates));
}

// Every crash point of one kind, until the run no longer reaches it.
inline void sweep(const Scenario& scenario, const Outcome& baseline, const std::string& kind,
                  const std::string& faults = {}) {
  for (int n = 1; n <= 60; ++n) {
    std::string point = kind + ":" + std::to_string(n);
    Outcome o = run_scenario(scenario, point, faults);
    check_same(baseline, o, point, scenario.creates_conversations);
    if (!o.crashed) break;
  }
}

// Counts of a sweep under async or exit durability, reported at the end of the soak case.
struct BoundTally {
  int runs = 0;
  int misdirected = 0;  // a write the uncrashed run never made (another conversation's action)
  int doubled = 0;      // a POST made more often than in the uncrashed run
};

// Under async or exit durability a crash may lose checkpoints, and the resumed thread re-reads a
// world its first run already changed: it may triage a different set of conversations than an
// uncrashed run. What must hold: every write is one the uncrashed run over the same data makes
// (nothing misdirected onto a conversation whose own verdict does not call for it), and no POST is
// made more often than there (nothing doubled; one extra empty conversation create is tolerated
// for graphs that create conversations, as in check_same).
inline void check_bound(const Outcome& broad, const Outcome& o, const std::string& point, bool creates_conversations,
                        BoundTally& tally) {
  INFO("crash point " << point);
  ++tally.runs;
  auto posts = normalized(o.posts);
  auto expected = normalized(broad.posts);
  auto is_create = [](const std::string& k) {
    return k.find("/conversation {}") != std::string::npos || k.ends_with("/conversation null");
  };
  for (const auto& key : std::set<std::string>(posts.begin(), posts.end())) {
    const std::size_t made = posts.count(key),
                      allowed = expected.count(key) + (creates_conversations && is_create(key) ? 1 : 0);
    if (allowed == 0) {
      ++tally.misdirected;
      FAIL_CHECK("misdirected: " << key);
    } else if (made > allowed) {
      ++tally.doubled;
      FAIL_CHECK("doubled (" << made << " times): " << key);
    }
  }
  const auto updates = normalized(o.updates), allowed_updates = normalized(broad.updates);
  for (const auto& key : updates) {
    if (allowed_updates.count(key)) continue;
    ++tally.misdirected;
    FAIL_CHECK("misdirected: " << key);
  }
}

inline void sweep_bound(const Scenario& scenario, const Outcome& broad, const std::string& kind,
                        const std::string& durability, BoundTally& tally) {
  for (int n = 1; n <= 60; ++n) {
    std::string point = kind + ":" + std::to_string(n);
    Outcome o = run_scenario(scenario, point, {}, durability);
    check_bound(broad, o, durability + " " + point, scenario.creates_conversations, tally);
    if (!o.crashed) break;
  }
}

const Scenario kTriage{"spam_triage", R"({"limit":3})", {}};
const Scenario kKnowledge{"kb_enrichment", R"({"require_review":false})", {}};
const Scenario kOutreach{
    "vip_outreach", R"({"require_approval":false,"min_seconds_on_pricing":0,"max_greetings":2})", {}, true};

// The session ids of the sandbox's first `count` conversations (newest activity first).
inline std::vector<std::string> session_ids(const SandboxInfo& sandbox, std::size_t count) {
  auto client = sandbox_client(sandbox);
  auto answer = client.request("GET", "/v1/website/" + sandbox.website_id + "/conversations/1", {},
                               {{"Authorization", weft::sandbox::http::basic_auth(sandbox.identifier, sandbox.key)},
                                {"X-Crisp-Tier", "plugin"}});
  REQUIRE_MESSAGE(answer.status == 200, answer.body);
  std::vector<std::string> ids;
  const json::value page = json::parse(answer.body);
  for (const auto& c : page.at("data").as_array()) {
    if (ids.size() == count) break;
    ids.emplace_back(c.at("session_id").as_string());
  }
  REQUIRE(ids.size() == count);
  return ids;
}

// support_agent with a scripted model answering by turn (so a resumed process, whose earlier
// turns are replayed from the journal, gets the right next answer): it looks, then answers two
// conversations and resolves one (two writes in one turn), then reports.
inline std::vector<std::string> prepare_agent(const SandboxInfo& sandbox, const TempDir& dir) {
  const auto ids = session_ids(sandbox, 2);
  auto message = [](const std::string& session, const std::string& text) {
    return json::object{
        {"name", "create_a_crisp_message"},
        {"arguments",
         json::object{
             {"session_id", session}, {"type", "text"}, {"from", "operator"}, {"origin", "chat"}, {"content", text}}}};
  };
  json::array replies;
  replies.push_back(
      json::object{{"tool_calls", json::array{json::object{{"name", "list_all_crisp_conversations"},
                                                           {"arguments", json::object{{"page_number", 1}}}}}}});
  replies.push_back(json::object{
      {"tool_calls",
       json::array{message(ids[0], "Thanks for waiting: we are on it."),
                   json::object{{"name", "update_a_crisp_conversation_state_by_id"},
                                {"arguments", json::object{{"session_id", ids[0]}, {"state", "resolved"}}}}}}});
  replies.push_back(
      json::object{{"tool_calls", json::array{message(ids[1], "Hello again, a colleague will follow up.")}}});
  replies.push_back("Answered two conversations and resolved the first.");
  {
    std::ofstream script(dir.file("agent.json"));
    script << json::serialize(json::object{{"order", "turns"}, {"replies", std::move(replies)}});
  }
  return {"--model", "scripted:" + dir.file("agent.json")};
}

const Scenario kAgent{
    "support_agent",
    R"({"instruction":"Answer the two newest conversations and resolve the first","max_steps":6,"allow_write_tools":["create_a_crisp_message","update_a_crisp_conversation_state_by_id"]})",
    prepare_agent};

// 429s are a pace now (they never use up the 5 attempts), and a "Retry-After: 0" backs off
// exponentially: 12 in a row cost a request minutes of waiting. 5 are enough to wait, learn and
// resend around the crash; the 503s still spend attempts.
const char* const kStormFaults = "storm_429=5,storm_retry_after=0,error_next=3,error_status=503";

}  // namespace crash_harness
