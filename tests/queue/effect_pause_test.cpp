// SPDX-License-Identifier: MIT
// The fencing test with the pause where database fencing cannot help: a `weft worker` stops
// (SIGSTOP, WEFT_CRASH_AT=effect-pause:N) right after the journal began a Crisp write and before
// its request; its lease expires, another worker takes the run over and sends that write itself;
// the first is SIGCONTed: it must not send the write (confirm_may_act refuses: its lease is gone),
// so the sandbox receives every request exactly once, replayed ones included.

#include "tests/queue/worker_setup.hpp"

#include <fstream>
#include <iterator>
#include <string>

using namespace weft::test::queue;
using weft::test::ChildProcess;

namespace {

// Whether the process is stopped (state T in /proc/PID/stat), waiting at most `limit`.
bool wait_stopped(int pid, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    const auto close = text.rfind(')');
    if (close != std::string::npos && close + 2 < text.size() && text[close + 2] == 'T') return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

// The spam_triage run: five conversations triaged in parallel (spam is reported, technical ones
// moved). The pause is at its first Crisp write (the first effect whose journal key is a tool
// call's): counting all effects would depend on the order the parallel tasks begin their model
// calls in. No other write is in flight then; the test checks it.
constexpr const char* kInput = R"({"limit":5})";
constexpr const char* kPauseAt = "effect-pause:1:tool";

}  // namespace

TEST_CASE("a worker paused between an effect's begin and its request never sends it after losing its lease") {
  // The same run with nobody paused: every request the sandbox must end up with, once each.
  std::map<std::string, int> calm;
  {
    Setup c({}, true);
    c.submit("spam_triage", "paused", kInput);
    auto w = c.start_worker("w.log", {"--drain"});
    REQUIRE(wait_exit(*w, 60s) == 0);
    c.sandbox.process.stop();
    calm = effective_writes(c.sandbox.state_file, true);
  }
  REQUIRE_FALSE(calm.empty());
  for (const auto& [write, n] : calm) CHECK_MESSAGE(n == 1, write);

  Setup s({}, true);
  const std::string id = s.submit("spam_triage", "paused", kInput);
  auto a = s.start_worker("a.log", {}, {{"WEFT_CRASH_AT", kPauseAt}});
  REQUIRE_MESSAGE(wait_stopped(a->pid(), 30s), weft::test::read_file(s.dir.file("a.log")));
  // Paused with exactly one Crisp write (a tool call) begun and not sent. Another task's model
  // call may be begun too (the tasks run in parallel), but no other write.
  auto started = s.database.sql("SELECT key FROM weft_effects WHERE state = 'started'");
  int writes_begun = 0;
  for (int row = 0; row < started.rows(); ++row) {
    const std::string key(started.text(row, 0));
    if (key.find(":tool:") != std::string::npos) {
      ++writes_begun;
    } else {
      CHECK_MESSAGE(key.find(":model:") != std::string::npos, key);
    }
  }
  CHECK(writes_begun == 1);
  const auto before = effective_writes(s.sandbox.state_file, true);

  std::this_thread::sleep_for(2500ms);  // past the 2 s lease
  auto b = s.start_worker("b.log", {"--drain"});
  CHECK(wait_exit(*b, 60s) == 0);
  weft::PostgresRunQueue queue(s.database.url());
  auto run = queue.run(id);
  REQUIRE(run);
  CHECK(run->status == weft::RunQueueStatus::done);
  CHECK(run->attempts == 2);
  const std::string history = s.inspect("history", "paused");
  const auto after_takeover = effective_writes(s.sandbox.state_file, true);
  CHECK(after_takeover.size() > before.size());  // the new holder sent the paused write (and the rest)

  resume_and_expect_lost(*a, s, "a.log", id);
  CHECK(s.inspect("history", "paused") == history);
  s.sandbox.process.stop();
  // Every request exactly once, counting those the sandbox accepted as repeats: the paused
  // worker's write was not sent after it lost the thread.
  const auto all = effective_writes(s.sandbox.state_file, true);
  for (const auto& [write, n] : all) CHECK_MESSAGE(n == 1, write);
  CHECK(all == calm);
}
