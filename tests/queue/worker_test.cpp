// SPDX-License-Identifier: MIT
// `weft submit` and `weft worker` as real processes on the real PostgreSQL server and a Crisp
// sandbox in its own process: one run and two workers (exactly one executes it), a run that fails
// N times, an orderly SIGTERM, and workers SIGKILLed at random while they share many spam_triage
// runs (every run done, every write in the sandbox's effect log once, summaries as uncrashed).

#include "tests/queue/worker_setup.hpp"

#include <algorithm>
#include <csignal>
#include <fstream>
#include <random>
#include <sstream>

using namespace weft::test::queue;
using weft::test::BackgroundProcess;
using weft::test::ChildProcess;
using weft::test::ProcessOptions;
using weft::test::run_process;
using weft::test::TempDir;
using weft::test::TestDatabase;
using weft::test::weft_binary;

namespace {

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("two workers and one run: exactly one worker executes it") {
  Setup s;
  const std::string id = s.submit("spam_triage", "one", R"({"limit":5})");
  auto a = s.start_worker("a.log", {"--drain"});
  auto b = s.start_worker("b.log", {"--drain"});
  CHECK(a->wait() == 0);
  CHECK(b->wait() == 0);
  const std::string logs = weft::test::read_file(s.dir.file("a.log")) + weft::test::read_file(s.dir.file("b.log"));
  CHECK_MESSAGE(count(logs, id + " (spam_triage on thread one, attempt 1): done") == 1, logs);
  CHECK_MESSAGE(count(logs, id) == 1, logs);
  weft::PostgresRunQueue queue(s.database.url());
  auto run = queue.run(id);
  REQUIRE(run);
  CHECK(run->status == weft::RunQueueStatus::done);
  CHECK(run->attempts == 1);
  CHECK(s.summary("one").starts_with("Triaged 5 unread conversations"));
}

TEST_CASE("a run that fails max-failures times stops failed with its error kept") {
  Setup s;
  const std::string script = s.dir.file("empty-script.json");
  { std::ofstream(script) << "[]"; }
  ProcessOptions o;
  o.unset_env = kCleanEnv;
  auto r = run_process(weft_binary(),
                       {"submit", "support_agent", "--thread", "doomed", "--max-failures", "2", "--input",
                        R"({"instruction":"say hello"})", "--queue", s.database.url()},
                       o);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  const std::string id = r.out.substr(0, r.out.find('\n'));
  auto w = s.start_worker("w.log", {"--drain", "--model", "scripted:" + script});
  CHECK(w->wait() == 0);
  weft::PostgresRunQueue queue(s.database.url());
  auto run = queue.run(id);
  REQUIRE(run);
  CHECK(run->status == weft::RunQueueStatus::failed);
  CHECK(run->failures == 2);
  CHECK(run->attempts == 2);
  CHECK_MESSAGE(run->error.find("script") != std::string::npos, run->error);
  auto listed = run_process(weft_binary(), {"runs", "--status", "failed", "--queue", s.database.url()}, o);
  CHECK(listed.exit_code == 0);
  CHECK(listed.out.find(id + "  failed  support_agent  thread doomed") != std::string::npos);
  CHECK(listed.out.find("failures 2/2  error: ") != std::string::npos);
}

TEST_CASE("SIGTERM stops a worker: it claims nothing more and exits 0") {
  Setup s;
  auto w = s.start_worker("w.log");
  std::this_thread::sleep_for(500ms);
  w->signal(SIGTERM);
  CHECK(w->wait() == 0);
  const std::string log = weft::test::read_file(s.dir.file("w.log"));
  CHECK_MESSAGE(log.find("stopped by SIGTERM; leases released") != std::string::npos, log);
  // Nothing was claimed after the stop: a run queued now stays pending.
  const std::string id = s.submit("spam_triage", "later", R"({"limit":2})");
  weft::PostgresRunQueue queue(s.database.url());
  CHECK(queue.run(id)->status == weft::RunQueueStatus::pending);
}

TEST_CASE("a worker paused past its lease loses the run: another finishes it and the first writes nothing") {
  // The same run with nobody paused: what the sandbox must end up with.
  Writes calm;
  {
    Setup c(kSlowSandbox, true);
    const std::string id = c.submit("spam_triage", "fenced", R"({"limit":5})");
    auto w = c.start_worker("w.log", {"--drain"});
    REQUIRE(wait_exit(*w, 60s) == 0);
    c.sandbox.process.stop();
    calm = writes_of(c.sandbox.state_file);
  }
  Setup s(kSlowSandbox, true);
  const std::string id = s.submit("spam_triage", "fenced", R"({"limit":5})");
  auto a = s.start_worker("a.log");
  REQUIRE(wait_for_status(s.database.url(), id, weft::RunQueueStatus::running, 20s));
  std::this_thread::sleep_for(400ms);  // well into the run: a few Crisp calls made
  a->signal(SIGSTOP);
  weft::PostgresRunQueue queue(s.database.url());
  REQUIRE_MESSAGE(queue.run(id)->status == weft::RunQueueStatus::running, "the run ended before the pause");
  std::this_thread::sleep_for(2500ms);  // past the 2 s lease
  auto b = s.start_worker("b.log", {"--drain"});
  CHECK(wait_exit(*b, 60s) == 0);
  auto run = queue.run(id);
  REQUIRE(run);
  CHECK(run->status == weft::RunQueueStatus::done);
  CHECK(run->attempts == 2);
  CHECK(run->worker.find(":" + std::to_string(a->pid()) + "/") == std::string::npos);
  const std::string history = s.inspect("history", "fenced");
  const std::string summary = s.summary("fenced");

  resume_and_expect_lost(*a, s, "a.log", id);
  // Nothing the paused worker did afterwards reached the store or the queue.
  CHECK(s.inspect("history", "fenced") == history);
  CHECK(s.summary("fenced") == summary);
  CHECK(queue.run(id)->status == weft::RunQueueStatus::done);
  s.sandbox.process.stop();
  CHECK(writes_of(s.sandbox.state_file) == calm);
}

namespace {

// Has `workers` workers execute spam_triage runs on threads t0..t<runs-1>: t0 first and alone
// (it reports the spam, so the world it sees is the only one that differs), then all the others
// at once. With `kill_every` > 0 a random worker is SIGKILLed that often and restarted.
struct SharedOutcome {
  std::map<std::string, std::string> summaries;  // thread -> summary, conversation lines sorted
  Writes writes;
  int kills = 0;
};

// A summary's conversation lines follow Crisp's "newest activity first" order, which the other
// runs' writes move: compare them as a set.
std::string normalized(const std::string& summary) {
  std::vector<std::string> lines;
  std::string head;
  std::istringstream in(summary);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("  session_")) {
      lines.push_back(line);
    } else {
      head += line + "\n";
    }
  }
  std::sort(lines.begin(), lines.end());
  for (const auto& l : lines) head += l + "\n";
  return head;
}

SharedOutcome share_runs(int runs, int workers, std::chrono::milliseconds kill_every, bool checkpoints_in_postgres) {
  Setup s({}, checkpoints_in_postgres);
  std::vector<std::unique_ptr<ChildProcess>> pool;
  std::vector<std::size_t> started(static_cast<std::size_t>(workers), 1);
  for (int i = 0; i < workers; ++i) pool.push_back(s.start_worker("w" + std::to_string(i) + ".log"));
  SharedOutcome outcome;
  std::mt19937 random(12345);
  weft::PostgresRunQueue queue(s.database.url());
  // While runs are pending or running: with kill_every, SIGKILL a random worker (and restart it)
  // at once and then every kill_every, so runs that all end within one period still see a kill.
  auto settle = [&] {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60 + runs);
    while (std::chrono::steady_clock::now() < deadline) {
      if (queue.runs(weft::RunQueueStatus::pending, 1).empty() && queue.runs(weft::RunQueueStatus::running, 1).empty())
        return;
      if (kill_every.count() > 0) {
        const auto victim = random() % pool.size();
        pool[victim]->signal(SIGKILL);
        pool[victim]->wait();
        ++outcome.kills;
        ++started[victim];
        pool[victim] = s.start_worker("w" + std::to_string(victim) + ".log");
      }
      std::this_thread::sleep_for(kill_every.count() > 0 ? kill_every : 100ms);
    }
    FAIL("the runs did not all end in time");
  };
  // A worker SIGTERMed before it set up its signal handling would die of the signal: wait until
  // every worker started (restarted ones included) announced itself.
  auto wait_ready = [&] {
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    for (int i = 0; i < workers; ++i) {
      const std::string log = s.dir.file("w" + std::to_string(i) + ".log");
      while (std::chrono::steady_clock::now() < deadline) {
        const std::string text = weft::test::read_file(log);
        // one "slot(s)" line per start; the last start is ready when its line is there
        if (count(text, " slot(s)") == started[static_cast<std::size_t>(i)]) break;
        std::this_thread::sleep_for(20ms);
      }
    }
  };
  const auto first = queue.run(s.submit("spam_triage", "t0", R"({"limit":3})"));
  REQUIRE(first);
  settle();
  // The rest all at once, with the input `weft submit` made for the first (in this process, not
  // one `weft submit` each): the workers must still be busy when settle() starts killing them.
  for (int i = 1; i < runs; ++i)
    queue.submit(weft::RunSubmission{"spam_triage", "t" + std::to_string(i), first->input});
  settle();
  wait_ready();
  for (auto& w : pool) w->signal(SIGTERM);
  for (std::size_t i = 0; i < pool.size(); ++i) {
    CHECK_MESSAGE(pool[i]->wait() == 0, weft::test::read_file(s.dir.file("w" + std::to_string(i) + ".log")));
  }
  const auto done = queue.runs(weft::RunQueueStatus::done, static_cast<std::size_t>(runs) + 1);
  CHECK_MESSAGE(done.size() == static_cast<std::size_t>(runs), "done " << done.size() << " of " << runs);
  for (int i = 0; i < runs; ++i) {
    outcome.summaries["t" + std::to_string(i)] = normalized(s.summary("t" + std::to_string(i)));
  }
  s.sandbox.process.stop();
  outcome.writes = writes_of(s.sandbox.state_file);
  return outcome;
}

void check_crashes(int runs, bool checkpoints_in_postgres) {
  const SharedOutcome calm = share_runs(runs, 4, 0ms, checkpoints_in_postgres);
  const SharedOutcome crashed = share_runs(runs, 4, 500ms, checkpoints_in_postgres);
  CHECK(crashed.kills > 0);
  for (const auto& [thread, summary] : calm.summaries) {
    CHECK_MESSAGE(crashed.summaries.at(thread) == summary, thread);
  }
  // Every report happened once (a second report would be a second effective POST), every move
  // and block as without crashes.
  CHECK(crashed.writes == calm.writes);
  for (const auto& [write, n] : crashed.writes.posts) CHECK_MESSAGE(n == 1, write);
  CHECK_FALSE(calm.writes.posts.empty());
  CHECK_FALSE(calm.writes.updates.empty());
  MESSAGE(runs << " runs, " << crashed.kills << " workers SIGKILLed");
}

}  // namespace

TEST_CASE("workers SIGKILLed at random every 0.5 s: every run done with every write once and summaries as uncrashed") {
  check_crashes(24, false);
}

TEST_CASE("workers SIGKILLed at random with every checkpoint in PostgreSQL: every run done with every write once") {
  check_crashes(12, true);
}

TEST_SUITE("soak") {
  TEST_CASE("200 spam_triage runs on 4 workers with one SIGKILLed every 0.5 s: every run done with every write once") {
    check_crashes(200, false);
  }
}

TEST_CASE("submit worker and runs on an unreachable queue: one line and exit 1 with the password redacted") {
  ProcessOptions o;
  o.unset_env = kCleanEnv;
  const std::string url = "postgresql://weft:hunter2-secret@127.0.0.1:1/weft?connect_timeout=2";
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"submit", "spam_triage", "--queue", url}, {"worker", "--queue", url}, {"runs", "--queue", url}}) {
    auto r = run_process(weft_binary(), args, o);
    CHECK_MESSAGE(r.exit_code == 1, args[0] << ": " << r.err);
    CHECK(r.err.find("hunter2-secret") == std::string::npos);
    CHECK(r.err.find("postgresql://weft:***@127.0.0.1:1/weft") != std::string::npos);
    CHECK_MESSAGE(count(r.err, "\n") == 1, r.err);
  }
  auto usage = run_process(weft_binary(), {"submit", "spam_triage", "--queue", "weft.db"}, o);
  CHECK(usage.exit_code == 2);
  CHECK(usage.err.find("is not a postgresql:// URL") != std::string::npos);
}

TEST_CASE("submit and runs with --json print one object carrying the version") {
  TestDatabase db;
  ProcessOptions o;
  o.unset_env = kCleanEnv;
  auto submitted =
      run_process(weft_binary(), {"submit", "spam_triage", "--thread", "j", "--queue", db.url(), "--json"}, o);
  REQUIRE_MESSAGE(submitted.exit_code == 0, submitted.err);
  json::object s = json::parse(submitted.out).as_object();
  CHECK(s.at("version").is_string());
  CHECK(s.at("thread_id") == "j");
  auto listed = run_process(weft_binary(), {"runs", "--queue", db.url(), "--json"}, o);
  REQUIRE_MESSAGE(listed.exit_code == 0, listed.err);
  json::object l = json::parse(listed.out).as_object();
  CHECK(l.at("version").is_string());
  REQUIRE(l.at("runs").as_array().size() == 1);
  CHECK(l.at("runs").as_array()[0].at("run_id") == s.at("run_id"));
  CHECK(l.at("runs").as_array()[0].at("status") == "pending");
  CHECK(std::string(l.at("queue").as_string()).find(":***@") != std::string::npos);
}
