// SPDX-License-Identifier: MIT
// The run queue's attempt cap (store/run_queue.hpp, max_attempts) on the real PostgreSQL server:
// a run whose workers keep stopping before they finish (their leases expire: a poison run that
// kills its worker) is claimed at most max_attempts times, then kept `failed` with an error naming
// the cause and its last worker, which `weft runs` shows; a run that finishes on its last allowed
// attempt is done; claims handed back on purpose do not count; old queues migrate.

#include "store/postgres_run_queue.hpp"
#include "tests/cli/process.hpp"
#include "tests/support/postgres.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <thread>

using namespace std::chrono_literals;
using weft::AttemptOutcome;
using weft::PostgresRunQueue;
using weft::QueuedRun;
using weft::RunQueueStatus;
using weft::RunSubmission;
using weft::test::TestDatabase;

namespace {

constexpr auto kTinyLease = 40ms;
constexpr auto kPastLease = 120ms;  // sleeps this long: the tiny lease has expired by the database's clock

RunSubmission submission(const std::string& thread, int max_attempts, int max_failures = 3) {
  RunSubmission s;
  s.graph = "spam_triage";
  s.thread_id = thread;
  s.input = R"({"limit":2})";
  s.max_failures = max_failures;
  s.max_attempts = max_attempts;
  return s;
}

// Claims the run as `worker` and "dies": never renews nor finishes, and waits past the lease.
QueuedRun claim_and_die(PostgresRunQueue& queue, const std::string& worker) {
  auto claimed = queue.claim(worker, kTinyLease);
  REQUIRE(claimed);
  std::this_thread::sleep_for(kPastLease);
  return *claimed;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("a run whose workers keep dying is failed after max_attempts claims with the cause kept") {
  TestDatabase db;
  PostgresRunQueue queue(db.url());
  const std::string poison = queue.submit(submission("poison", 3));
  for (int i = 1; i <= 3; ++i) {
    QueuedRun run = claim_and_die(queue, "w" + std::to_string(i));
    CHECK(run.run_id == poison);
    CHECK(run.attempts == i);
    CHECK(run.max_attempts == 3);
  }
  // Another run whose worker died too, after the poison run's: both leases have expired now.
  const std::string other = queue.submit(submission("other", 3));
  CHECK(claim_and_die(queue, "w-other").run_id == other);
  // The next claim does not hand the poison run out again: it is failed, and the claim goes on
  // to the next claimable run.
  auto next = queue.claim("w4", 30s);
  REQUIRE(next);
  CHECK(next->run_id == other);
  CHECK(next->attempts == 2);
  auto row = queue.run(poison);
  REQUIRE(row);
  CHECK(row->status == RunQueueStatus::failed);
  CHECK(row->attempts == 3);
  CHECK(row->failures == 0);
  CHECK(row->worker == "w3");
  CHECK_MESSAGE(contains(row->error,
                         "claimed 3 times without finishing (max_attempts 3); each worker stopped before "
                         "finishing: 3 stopped without reporting"),
                row->error);
  CHECK_MESSAGE(contains(row->error, "last worker w3"), row->error);
  CHECK_FALSE(queue.claim("w5", 30s));
  // The third worker wakes up: its claim is fenced (the epoch moved on when the run was failed).
  CHECK_FALSE(queue.finish(poison, row->epoch - 1, AttemptOutcome{}));
  CHECK(queue.run(poison)->status == RunQueueStatus::failed);

  // `weft runs` lists it failed with that error.
  weft::test::ProcessOptions o;
  o.unset_env = {"WEFT_QUEUE", "WEFT_DB"};
  auto listed =
      weft::test::run_process(weft::test::weft_binary(), {"runs", "--status", "failed", "--queue", db.url()}, o);
  REQUIRE_MESSAGE(listed.exit_code == 0, listed.err);
  CHECK_MESSAGE(contains(listed.out, poison + "  failed"), listed.out);
  CHECK_MESSAGE(contains(listed.out, "attempts 3/3"), listed.out);
  CHECK_MESSAGE(contains(listed.out, "error: claimed 3 times without finishing"), listed.out);
}

TEST_CASE("a spent run whose worker died is failed at the next claim even while other runs are pending") {
  TestDatabase db;
  PostgresRunQueue queue(db.url());
  const std::string poison = queue.submit(submission("poison", 1));
  CHECK(claim_and_die(queue, "w1").run_id == poison);
  // Pending work is handed out before expired claims; the spent run must not wait behind it.
  const std::string pending = queue.submit(submission("pending", 3));
  auto next = queue.claim("w2", 30s);
  REQUIRE(next);
  CHECK(next->run_id == pending);
  auto row = queue.run(poison);
  REQUIRE(row);
  CHECK(row->status == RunQueueStatus::failed);
  CHECK(row->attempts == 1);
  CHECK_MESSAGE(contains(row->error, "claimed 1 times without finishing (max_attempts 1)"), row->error);
}

TEST_CASE("a run that finishes on its last allowed attempt is done") {
  TestDatabase db;
  PostgresRunQueue queue(db.url());
  const std::string id = queue.submit(submission("t", 3));
  claim_and_die(queue, "w1");
  claim_and_die(queue, "w2");
  auto last = queue.claim("w3", 30s);
  REQUIRE(last);
  CHECK(last->attempts == 3);
  CHECK(queue.finish(id, last->epoch, AttemptOutcome{}));
  auto row = queue.run(id);
  CHECK(row->status == RunQueueStatus::done);
  CHECK(row->error.empty());
}

TEST_CASE("failed attempts count toward the cap, and the error says how each attempt ended") {
  TestDatabase db;
  PostgresRunQueue queue(db.url());
  const std::string id = queue.submit(submission("t", 2, 5));
  auto a = queue.claim("w1", 30s);
  REQUIRE(a);
  AttemptOutcome failed;
  failed.kind = AttemptOutcome::Kind::failed;
  failed.error = "node 'classify' failed: boom";
  CHECK(queue.finish(id, a->epoch, failed));
  CHECK(queue.run(id)->status == RunQueueStatus::pending);  // 1 failure of 5 allowed
  claim_and_die(queue, "w2");
  CHECK_FALSE(queue.claim("w3", 30s));
  auto row = queue.run(id);
  CHECK(row->status == RunQueueStatus::failed);
  CHECK_MESSAGE(contains(row->error, "claimed 2 times without finishing (max_attempts 2)"), row->error);
  CHECK_MESSAGE(contains(row->error, "1 stopped without reporting"), row->error);
  CHECK_MESSAGE(contains(row->error, "1 failed (last error: node 'classify' failed: boom); last worker w2"),
                row->error);
}

TEST_CASE("claims handed back on purpose (released, postponed) do not count toward the cap") {
  TestDatabase db;
  PostgresRunQueue queue(db.url());
  const std::string id = queue.submit(submission("t", 1));
  AttemptOutcome released;
  released.kind = AttemptOutcome::Kind::released;
  AttemptOutcome postponed;
  postponed.kind = AttemptOutcome::Kind::postponed;
  for (const AttemptOutcome& back : {released, postponed, released}) {
    auto run = queue.claim("w", 30s);
    REQUIRE(run);
    CHECK(queue.finish(id, run->epoch, back));
  }
  auto last = queue.claim("w", 30s);
  REQUIRE(last);
  CHECK(last->attempts == 4);
  CHECK(last->handed_back == 3);
  CHECK(queue.finish(id, last->epoch, AttemptOutcome{}));
  CHECK(queue.run(id)->status == RunQueueStatus::done);
}

TEST_CASE("the default cap is max_failures + 3, and a version 1 queue migrates to it") {
  TestDatabase db;
  {
    PostgresRunQueue queue(db.url());
    const std::string id = queue.submit(submission("default", 0, 2));
    CHECK(queue.run(id)->max_attempts == 5);
  }
  // Back to version 1's table, with a run in it, as an older Weft left it.
  db.sql("ALTER TABLE weft_runs DROP COLUMN max_attempts, DROP COLUMN handed_back");
  db.sql("DELETE FROM weft_schema WHERE component = 'queue' AND version = 2");
  db.sql(
      "INSERT INTO weft_runs (run_id, thread_id, graph, input, max_failures, attempts) "
      "VALUES ('run-old', 'old', 'spam_triage', '{}', 4, 1)");
  PostgresRunQueue queue(db.url());
  auto old = queue.run("run-old");
  REQUIRE(old);
  CHECK(old->max_attempts == 7);
  CHECK(old->handed_back == 0);
  CHECK(old->attempts == 1);
  CHECK(db.sql("SELECT version FROM weft_schema WHERE component = 'queue' ORDER BY version DESC LIMIT 1").int64(0, 0) ==
        2);
}
