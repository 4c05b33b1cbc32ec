// SPDX-License-Identifier: MIT
#pragma once
// What the worker process tests share: a Crisp sandbox in its own process (its effect log read
// back as the writes that took effect), a queue database with a checkpoint store, `weft worker`
// children, and bounded waits for a run's status or a child's exit.

#include "store/postgres_run_queue.hpp"
#include "tests/cli/process.hpp"
#include "tests/queue/worker_process.hpp"
#include "tests/support/postgres.hpp"

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace weft::test::queue {

namespace json = boost::json;
using namespace std::chrono_literals;

inline const std::vector<std::string> kCleanEnv = {
    "CRISP_API_IDENTIFIER", "CRISP_API_KEY", "CRISP_WEBSITE_ID", "CRISP_API_URL", "OPENAI_API_KEY",
    "OPENAI_BASE_URL",      "WEFT_MODEL",    "WEFT_DB",          "WEFT_CRASH_AT", "WEFT_QUEUE"};

// A Crisp sandbox in its own process, its state (and effect log) in a file.
inline std::vector<std::string> sandbox_args(const std::string& state_file, const std::string& faults) {
  std::vector<std::string> args{"sandbox", "--port", "0", "--state", state_file, "--json"};
  if (!faults.empty()) {
    args.push_back("--faults");
    args.push_back(faults);
  }
  return args;
}

struct Sandbox {
  explicit Sandbox(const TempDir& dir, const std::string& faults = {})
      : state_file(dir.file("sandbox.json")), process(weft_binary(), sandbox_args(state_file, faults), [] {
          ProcessOptions o;
          o.unset_env = kCleanEnv;
          return o;
        }()) {
    json::object info = json::parse(process.read_line()).as_object();
    api_url = std::string(info.at("api_url").as_string());
    env = {{"CRISP_API_IDENTIFIER", std::string(info.at("identifier").as_string())},
           {"CRISP_API_KEY", std::string(info.at("key").as_string())},
           {"CRISP_WEBSITE_ID", std::string(info.at("website_id").as_string())}};
  }
  std::string state_file;
  BackgroundProcess process;
  std::string api_url;
  std::map<std::string, std::string> env;
};

// Effective writes of the sandbox's effect log: "METHOD path body" -> how many times. With
// `with_replayed`, also the accepted requests that changed nothing (a second identical report):
// every request that reached the sandbox and succeeded.
inline std::map<std::string, int> effective_writes(const std::string& state_file, bool with_replayed = false) {
  std::map<std::string, int> writes;
  std::function<void(const json::value&)> walk = [&](const json::value& v) {
    if (!v.is_object()) return;
    for (const auto& [k, x] : v.as_object()) {
      if (k == "effects" && x.is_array()) {
        for (const auto& e : x.as_array()) {
          const auto status = e.at("status").to_number<int>();
          if (status < 200 || status >= 300 || (!with_replayed && e.at("replayed") == true)) continue;
          ++writes[std::string(e.at("method").as_string()) + " " + std::string(e.at("path").as_string()) + " " +
                   json::serialize(e.at("body"))];
        }
      } else {
        walk(x);
      }
    }
  };
  walk(json::parse(weft::test::read_file(state_file)));
  return writes;
}

// A queue database, a sandbox (with `faults`), and where checkpoints go: a SQLite file beside
// them, or with `checkpoints_in_postgres` the queue's own database (PostgresStore).
struct Setup {
  explicit Setup(const std::string& faults = {}, bool checkpoints_in_postgres = false)
      : sandbox(dir, faults), db(checkpoints_in_postgres ? database.url() : dir.file("weft.db")) {}
  TestDatabase database;
  TempDir dir;
  Sandbox sandbox;
  std::string db;

  std::vector<std::string> worker_args(const std::vector<std::string>& extra = {}) const {
    std::vector<std::string> args{"worker",  "--queue", database.url(), "--db", db, "--crisp", sandbox.api_url,
                                  "--lease", "2",       "--poll",       "0.2"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }
  /// A `weft worker` logging to `log`, with `extra` arguments and `env` added (e.g. WEFT_CRASH_AT).
  std::unique_ptr<ChildProcess> start_worker(const std::string& log, const std::vector<std::string>& extra = {},
                                             const std::map<std::string, std::string>& env = {}) const {
    std::map<std::string, std::string> all = sandbox.env;
    all.insert(env.begin(), env.end());
    return std::make_unique<ChildProcess>(weft_binary(), worker_args(extra), all, kCleanEnv, dir.file(log));
  }
  std::string submit(const std::string& graph, const std::string& thread, const std::string& input) const {
    ProcessOptions o;
    o.unset_env = kCleanEnv;
    auto r = run_process(weft_binary(),
                         {"submit", graph, "--thread", thread, "--input", input, "--queue", database.url()}, o);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    return r.out.substr(0, r.out.find('\n'));
  }
  std::string summary(const std::string& thread) const {
    return std::string(json::parse(inspect("state", thread)).at("values").at("summary").as_string());
  }
  /// `weft COMMAND THREAD --json` on the checkpoint store.
  std::string inspect(const std::string& command, const std::string& thread) const {
    ProcessOptions o;
    o.unset_env = kCleanEnv;
    auto r = run_process(weft_binary(), {command, thread, "--json", "--db", db}, o);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    return r.out;
  }
};

struct Writes {
  std::map<std::string, int> posts;  // effective POSTs (reports): how many times each
  std::set<std::string> updates;     // effective PATCHes (moves, blocks): idempotent
  bool operator==(const Writes&) const = default;
};

inline Writes writes_of(const std::string& state_file) {
  Writes w;
  for (const auto& [write, n] : effective_writes(state_file)) {
    if (write.starts_with("POST ")) {
      w.posts[write] = n;
    } else {
      w.updates.insert(write);
    }
  }
  return w;
}

// Waits (bounded) for the run to reach `status`.
inline bool wait_for_status(const std::string& url, const std::string& run_id, weft::RunQueueStatus status,
                            std::chrono::milliseconds limit) {
  weft::PostgresRunQueue queue(url);
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (auto run = queue.run(run_id); run && run->status == status) return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

// Waits (bounded) for a child to exit; its exit code, or -1 when it did not.
inline int wait_exit(ChildProcess& child, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (child.ended()) return child.wait();
    std::this_thread::sleep_for(50ms);
  }
  return -1;
}

inline constexpr const char* kSlowSandbox = "latency_ms=120";  // each Crisp answer waits: a run lasts seconds

// SIGCONTs a worker paused past its lease: it must exit 1 saying it lost run `id` (its log: `log`).
inline void resume_and_expect_lost(ChildProcess& worker, const Setup& setup, const std::string& log,
                                   const std::string& id) {
  worker.signal(SIGCONT);
  const int exit_code = wait_exit(worker, 30s);
  const std::string text = read_file(setup.dir.file(log));
  CHECK_MESSAGE(exit_code == 1, text);
  CHECK_MESSAGE(text.find("lost " + id) != std::string::npos, text);
}

}  // namespace weft::test::queue
