// SPDX-License-Identifier: MIT
// The run queue's contract on a real PostgreSQL server: claims are exclusive (also under
// concurrent claimers), ordered by priority, fenced by their epoch once a lease expired; failures
// are retried up to max_failures and then kept with their error; submits wake idle workers.

#include "store/error.hpp"
#include "store/postgres_run_queue.hpp"
#include "tests/support/postgres.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>

using namespace std::chrono_literals;
using weft::AttemptOutcome;
using weft::PostgresRunQueue;
using weft::RunQueueStatus;
using weft::RunSubmission;
using weft::test::TestDatabase;

namespace {

RunSubmission submission(const std::string& thread, int priority = 0, int max_failures = 3) {
  RunSubmission s;
  s.graph = "spam_triage";
  s.thread_id = thread;
  s.input = R"({"limit":2})";
  s.priority = priority;
  s.max_failures = max_failures;
  return s;
}

AttemptOutcome failed(const std::string& error) {
  AttemptOutcome o;
  o.kind = AttemptOutcome::Kind::failed;
  o.error = error;
  return o;
}

}  // namespace

TEST_CASE("a submitted run is claimed once and then listed done") {
  TestDatabase db;
  PostgresRunQueue queue(db.url());
  const std::string id = queue.submit(submission("t1"));
  CHECK(id.starts_with("run-"));
  auto claimed = queue.claim("w1", 30s);
  REQUIRE(claimed);
  CHECK(claimed->run_id == id);
  CHECK(claimed->status == RunQueueStatus::running);
  CHECK(claimed->attempts == 1);
  CHECK(claimed->input == R"({"limit":2})");
  CHECK_FALSE(queue.claim("w2", 30s));
  CHECK(queue.finish(id, claimed->epoch, AttemptOutcome{}));
  auto listed = queue.runs(std::nullopt, 10);
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].status == RunQueueStatus::done);
  CHECK(listed[0].worker == "w1");
}

TEST_CASE("higher priority runs are claimed first and equal ones in submission order") {
  TestDatabase db;
  PostgresRunQueue queue(db.url());
  const auto low = queue.submit(submission("a", 0));
  const auto high = queue.submit(submission("b", 5));
  const auto low2 = queue.submit(submission("c", 0));
  CHECK(queue.claim("w", 30s)->run_id == high);
  CHECK(queue.claim("w", 30s)->run_id == low);
  CHECK(queue.claim("w", 30s)->run_id == low2);
}

TEST_CASE("eight workers claiming at once never get the same run") {
  TestDatabase db;
  constexpr int kRuns = 120;
  {
    PostgresRunQueue queue(db.url());
    for (int i = 0; i < kRuns; ++i) queue.submit(submission("thread-" + std::to_string(i)));
  }
  std::mutex mutex;
  std::map<std::string, int> claims;
  std::vector<std::string> errors;
  std::vector<std::thread> workers;
  for (int w = 0; w < 8; ++w) {
    workers.emplace_back([&, w] {
      try {
        PostgresRunQueue queue(db.url());
        while (auto run = queue.claim("w" + std::to_string(w), 30s)) {
          {
            std::lock_guard lock(mutex);
            ++claims[run->run_id];
          }
          queue.finish(run->run_id, run->epoch, AttemptOutcome{});
        }
      } catch (const std::exception& e) {
        std::lock_guard lock(mutex);
        errors.push_back(e.what());
      }
    });
  }
  for (auto& t : workers) t.join();
  CHECK(errors.empty());
  CHECK(claims.size() == kRuns);
  for (const auto& [id, n] : claims) CHECK_MESSAGE(n == 1, id);
  PostgresRunQueue queue(db.url());
  CHECK(queue.runs(RunQueueStatus::done, 1000).size() == kRuns);
}

TEST_CASE("a run whose lease expired is claimed again and its former worker is fenced out") {
  TestDatabase db;
  PostgresRunQueue first(db.url());
  PostgresRunQueue second(db.url());
  const auto id = first.submit(submission("t"));
  auto a = first.claim("paused", 200ms);
  REQUIRE(a);
  CHECK_FALSE(second.claim("other", 30s));  // the lease still holds
  std::this_thread::sleep_for(400ms);
  auto b = second.claim("other", 30s);
  REQUIRE(b);
  CHECK(b->run_id == id);
  CHECK(b->epoch == a->epoch + 1);
  CHECK(b->attempts == 2);
  // The paused worker wakes up: nothing it says about the run is written.
  CHECK_FALSE(first.renew(id, a->epoch, 30s));
  CHECK_FALSE(first.finish(id, a->epoch, failed("late")));
  CHECK_FALSE(first.finish(id, a->epoch, AttemptOutcome{}));
  auto row = first.run(id);
  CHECK(row->status == RunQueueStatus::running);
  CHECK(row->worker == "other");
  CHECK(row->failures == 0);
  CHECK(row->error.empty());
  CHECK(second.renew(id, b->epoch, 30s));
  CHECK(second.finish(id, b->epoch, AttemptOutcome{}));
  CHECK(first.run(id)->status == RunQueueStatus::done);
}

TEST_CASE("a run that fails max_failures times stops failed with its last error kept") {
  TestDatabase db;
  PostgresRunQueue queue(db.url());
  const auto id = queue.submit(submission("t", 0, 2));
  auto a = queue.claim("w", 30s);
  REQUIRE(a);
  CHECK(queue.finish(id, a->epoch, failed("node 'classify' failed: boom 1")));
  CHECK(queue.run(id)->status == RunQueueStatus::pending);
  auto b = queue.claim("w", 30s);
  REQUIRE(b);
  CHECK(queue.finish(id, b->epoch, failed("node 'classify' failed: boom 2")));
  auto row = queue.run(id);
  CHECK(row->status == RunQueueStatus::failed);
  CHECK(row->failures == 2);
  CHECK(row->attempts == 2);
  CHECK(row->error == "node 'classify' failed: boom 2");
  CHECK_FALSE(queue.claim("w", 30s));
}

TEST_CASE("a failed attempt is retried only after its delay and a release is not a failure") {
  TestDatabase db;
  PostgresRunQueue queue(db.url());
  const auto id = queue.submit(submission("t"));
  auto a = queue.claim("w", 30s);
  AttemptOutcome slow = failed("boom");
  slow.delay = 60s;
  CHECK(queue.finish(id, a->epoch, slow));
  CHECK_FALSE(queue.claim("w", 30s));
  const auto id2 = queue.submit(submission("u"));
  auto c = queue.claim("w", 30s);
  REQUIRE(c);
  AttemptOutcome release;
  release.kind = AttemptOutcome::Kind::released;
  CHECK(queue.finish(id2, c->epoch, release));
  auto row = queue.run(id2);
  CHECK(row->status == RunQueueStatus::pending);
  CHECK(row->failures == 0);
  CHECK(queue.claim("w", 30s)->run_id == id2);
}

TEST_CASE("a thread has at most one pending or running run") {
  TestDatabase db;
  PostgresRunQueue queue(db.url());
  const auto id = queue.submit(submission("t"));
  try {
    queue.submit(submission("t"));
    FAIL("a second active run on one thread was accepted");
  } catch (const weft::Error& e) {
    CHECK(e.code() == std::error_code(weft::store::error::thread_busy));
    CHECK(std::string(e.what()).find("thread 't' already has a pending or running run") != std::string::npos);
  }
  CHECK(queue.runs(std::nullopt, 10).size() == 1);
  auto a = queue.claim("w", 30s);
  queue.finish(id, a->epoch, AttemptOutcome{});
  CHECK(queue.submit(submission("t")) != id);  // once done, the thread takes a new run
}

TEST_CASE("a cancelled run is not claimed and its worker's renew tells it to stop") {
  TestDatabase db;
  PostgresRunQueue queue(db.url());
  const auto pending = queue.submit(submission("p"));
  CHECK(queue.cancel(pending));
  CHECK_FALSE(queue.claim("w", 30s));
  const auto running = queue.submit(submission("r"));
  auto a = queue.claim("w", 30s);
  REQUIRE(a);
  CHECK(queue.cancel(running));
  CHECK_FALSE(queue.renew(running, a->epoch, 30s));
  CHECK_FALSE(queue.finish(running, a->epoch, AttemptOutcome{}));
  CHECK(queue.run(running)->status == RunQueueStatus::cancelled);
  CHECK_FALSE(queue.cancel(running));
  CHECK_FALSE(queue.cancel("run-unknown"));
}

TEST_CASE("an idle worker is woken by a submit's notification and not by its polling timeout") {
  TestDatabase db;
  PostgresRunQueue idle(db.url());
  CHECK_FALSE(idle.wait_for_work(10ms));  // LISTEN is issued; nothing is pending
  std::thread submitter([&] {
    PostgresRunQueue other(db.url());
    std::this_thread::sleep_for(100ms);
    other.submit(submission("t"));
  });
  // 60 s is far past the test's timeout: only the notification can return true here.
  const bool woken = idle.wait_for_work(60s);
  submitter.join();
  CHECK(woken);
  CHECK(idle.claim("w", 30s));
}

TEST_CASE("opening a queue whose schema is newer than this build writes nothing and says so") {
  TestDatabase db;
  { PostgresRunQueue queue(db.url()); }
  db.sql("INSERT INTO weft_schema (component, version, applied_at_ms, description) VALUES ('queue', 99, 0, 'x')");
  try {
    PostgresRunQueue queue(db.url());
    FAIL("a newer schema was opened");
  } catch (const weft::Error& e) {
    CHECK(e.code() == std::error_code(weft::store::error::schema_too_new));
    CHECK(std::string(e.what()).find("schema version 99") != std::string::npos);
  }
}

TEST_CASE("an unreachable server or a wrong password is one clear error with the password redacted") {
  // Port 1 on loopback: nothing listens there.
  try {
    PostgresRunQueue queue("postgresql://weft:s3cret-pw@127.0.0.1:1/weft?connect_timeout=2");
    FAIL("connected to nothing");
  } catch (const weft::Error& e) {
    const std::string m = e.what();
    CHECK(e.code() == std::error_code(weft::store::error::open_failed));
    CHECK(m.find("s3cret-pw") == std::string::npos);
    CHECK(m.find("postgresql://weft:***@127.0.0.1:1/weft") != std::string::npos);
    CHECK(m.find('\n') == std::string::npos);
  }
  const std::string server = weft::test::postgres_url();
  try {
    PostgresRunQueue queue(weft::test::with_database(server, "no_such_database_here"));
    FAIL("opened a database that does not exist");
  } catch (const weft::Error& e) {
    CHECK(e.code() == std::error_code(weft::store::error::open_failed));
    CHECK(std::string(e.what()).find("no_such_database_here") != std::string::npos);
  }
}
