// SPDX-License-Identifier: MIT
// Thread leases: one process at a time advances a thread.
#include "store/sqlite_store.hpp"

#include "fixtures.hpp"
#include "engine/clock.hpp"
#include "store/error.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include <csignal>
#include <sys/wait.h>
#include <unistd.h>

using namespace weft;
using test::cid;
using test::delta;
using test::record;

namespace {

int wait_exit_code(pid_t child) {
  int status = 0;
  if (waitpid(child, &status, 0) != child) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/// Two stores (two "processes") on one file, both reading one ManualClock.
struct TwoStoresOnOneClock {
  test::TempDir dir;
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>();
  SqliteOptions options = with_clock(clock);
  SqliteStore holder{dir.file("a.db"), options};
  SqliteStore other{dir.file("a.db"), options};

  static SqliteOptions with_clock(std::shared_ptr<Clock> clock) {
    SqliteOptions options;
    options.clock = std::move(clock);
    return options;
  }
};

/// Checkpoint `step` of thread "t" (after step - 1) is refused with lease_lost.
void check_put_fails_with_lease_lost(SqliteStore& store, boost::json::object& values, int step) {
  try {
    test::put(store, values, record("t", cid(step), cid(step - 1), step - 1, {delta("n", DeltaOp::replace, step)}));
    FAIL("a write under a lost lease was accepted");
  } catch (const Error& e) {
    CHECK(e.code() == store::error::lease_lost);
  }
}

}  // namespace

TEST_CASE("a second owner of a leased thread gets thread_busy naming the pid and the start time") {
  test::TempDir dir;
  SqliteStore first(dir.file("a.db"));
  SqliteStore second(dir.file("a.db"));
  auto lease = first.acquire_lease("t");
  REQUIRE(lease);
  try {
    second.acquire_lease("t");
    FAIL("second lease granted");
  } catch (const Error& e) {
    CHECK(e.code() == store::error::thread_busy);
    const std::string what = e.what();
    CHECK(what.find("thread 't' is being run by pid " + std::to_string(getpid())) != std::string::npos);
    CHECK(what.find(" since 20") != std::string::npos);
    CHECK(what.find("break") != std::string::npos);
  }
  auto info = second.lease("t");
  REQUIRE(info);
  CHECK(info->pid == getpid());
  CHECK(info->expires_at_ms > info->acquired_at_ms);
  // The same store is refused too: one run per thread at a time.
  CHECK_THROWS_AS(first.acquire_lease("t"), Error);
  // Other threads are independent.
  CHECK(second.acquire_lease("u"));
}

TEST_CASE("releasing a lease lets another owner take the thread") {
  test::TempDir dir;
  SqliteStore first(dir.file("a.db"));
  SqliteStore second(dir.file("a.db"));
  {
    auto lease = first.acquire_lease("t");
    CHECK(first.lease("t"));
  }
  CHECK_FALSE(first.lease("t"));
  CHECK(second.acquire_lease("t"));
}

TEST_CASE("a lease left by a killed process is taken over") {
  test::TempDir dir;
  const std::string path = dir.file("a.db");
  { SqliteStore init(path); }
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    int code = 1;
    try {
      SqliteStore store(path);
      auto lease = store.acquire_lease("t");
      lease.release();  // leak it: the process dies holding the lease
      code = 0;
    } catch (...) {}
    _exit(code);
  }
  REQUIRE(wait_exit_code(child) == 0);
  SqliteStore store(path);
  auto before = store.lease("t");
  REQUIRE(before);
  CHECK(before->pid == child);
  auto lease = store.acquire_lease("t");
  CHECK(lease);
  CHECK(store.lease("t")->pid == getpid());
}

TEST_CASE("a lease from another host is respected until it expires, then taken over") {
  test::TempDir dir;
  const std::string path = dir.file("a.db");
  SqliteStore store(path);
  const auto now =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  test::raw_sql(path, "INSERT INTO leases VALUES ('live', 4242, 'elsewhere.example', '1', 'tok', " +
                          std::to_string(now - 1000) + ", " + std::to_string(now - 1000) + ", " +
                          std::to_string(now + 600000) + ")");
  test::raw_sql(path, "INSERT INTO leases VALUES ('stale', 4242, 'elsewhere.example', '1', 'tok', " +
                          std::to_string(now - 100000) + ", " + std::to_string(now - 90000) + ", " +
                          std::to_string(now - 60000) + ")");
  try {
    store.acquire_lease("live");
    FAIL("live foreign lease ignored");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("pid 4242 on host 'elsewhere.example'") != std::string::npos);
  }
  CHECK(store.acquire_lease("stale"));
}

TEST_CASE("break_lease removes a live lease and its holder's next write fails with lease_lost") {
  test::TempDir dir;
  SqliteStore holder(dir.file("a.db"));
  SqliteStore operator_(dir.file("a.db"));
  boost::json::object values;
  auto lease = holder.acquire_lease("t");
  test::put(holder, values, record("t", cid(0), "", -1, {delta("n", DeltaOp::replace, 0)}));
  CHECK(operator_.break_lease("t"));
  CHECK_FALSE(operator_.break_lease("t"));
  // The holder learns of it at its next renewal (the heartbeat's, run here at once).
  test::put(holder, values, record("t", cid(1), cid(0), 0, {delta("n", DeltaOp::replace, 1)}));
  holder.renew_leases();
  check_put_fails_with_lease_lost(holder, values, 2);
  // Breaking one's own lease takes effect at once.
  auto other = holder.acquire_lease("u");
  holder.break_lease("u");
  CHECK_THROWS_AS(holder.put_writes(TaskWrites{"u", "", cid(0), "task", "n", {}}, Durability::sync), Error);
}

TEST_CASE("a renewed lease does not expire: its expiry moves with the store's clock") {
  TwoStoresOnOneClock f;
  auto lease = f.holder.acquire_lease("t");
  const LeaseInfo first = *f.other.lease("t");
  CHECK(first.acquired_at_ms == f.clock->now_ms());
  CHECK(first.expires_at_ms == f.clock->now_ms() + f.options.lease_ttl_ms);
  f.clock->advance(std::chrono::milliseconds(f.options.lease_ttl_ms - 1));
  f.holder.renew_leases();
  const LeaseInfo renewed = *f.other.lease("t");
  CHECK(renewed.heartbeat_at_ms == f.clock->now_ms());
  CHECK(renewed.expires_at_ms == first.expires_at_ms + f.options.lease_ttl_ms - 1);
  f.clock->advance(std::chrono::milliseconds(2));  // past the first expiry, not the renewed one
  CHECK(f.other.has_live_run("t"));
  CHECK_THROWS_AS(f.other.acquire_lease("t"), Error);
}

TEST_CASE("a lease not renewed for lease_ttl_ms is taken over, and its former holder learns it at its next renewal") {
  TwoStoresOnOneClock f;
  boost::json::object values;
  auto lease = f.holder.acquire_lease("t");
  test::put(f.holder, values, record("t", cid(0), "", -1, {delta("n", DeltaOp::replace, 0)}));
  f.clock->advance(std::chrono::milliseconds(f.options.lease_ttl_ms));
  // At the expiry instant the lease still holds (expired means past it); one millisecond later not.
  CHECK_THROWS_AS(f.other.acquire_lease("t"), Error);
  f.clock->advance(std::chrono::milliseconds(1));
  CHECK_FALSE(f.other.has_live_run("t"));
  // The holder's process is alive here (it is this one): expiry alone lets the other take over.
  auto taken = f.other.acquire_lease("t");
  REQUIRE(taken);
  f.holder.renew_leases();
  check_put_fails_with_lease_lost(f.holder, values, 1);
}

TEST_CASE("the heartbeat thread renews held leases by itself") {
  // The one lease test on real time: what it checks is that the background thread runs (its
  // period, lease_ttl_ms / 3, is real time by design). Bounded: it gives up after 5 s.
  test::TempDir dir;
  SqliteOptions fast;
  fast.lease_ttl_ms = 30;  // a renewal every 10 ms
  SqliteStore holder(dir.file("a.db"), fast);
  SqliteStore other(dir.file("a.db"), fast);
  auto lease = holder.acquire_lease("t");
  const auto first_heartbeat = other.lease("t")->heartbeat_at_ms;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  bool renewed = false;
  while (!renewed && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    renewed = other.lease("t")->heartbeat_at_ms > first_heartbeat;
  }
  CHECK(renewed);
}

TEST_CASE("two processes racing for one thread: exactly one advances it") {
  test::TempDir dir;
  const std::string path = dir.file("a.db");
  { SqliteStore init(path); }
  int go[2], release[2];
  REQUIRE(pipe(go) == 0);
  REQUIRE(pipe(release) == 0);
  pid_t children[2];
  for (pid_t& child : children) {
    child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      close(go[1]);
      close(release[1]);
      char byte;
      if (read(go[0], &byte, 1) != 1) _exit(9);  // both start together
      int code = 1;
      try {
        SqliteStore store(path);
        auto lease = store.acquire_lease("t");
        boost::json::object values;
        test::put(store, values,
                  record("t", cid(0), "", -1, {delta("owner", DeltaOp::replace, std::int64_t{getpid()})}));
        for (int i = 1; i <= 50; ++i) {
          test::put(store, values,
                    record("t", cid(i), cid(i - 1), i - 1, {delta("owner", DeltaOp::replace, std::int64_t{getpid()})}));
        }
        // Hold the thread until the parent has seen the other process give up.
        if (read(release[0], &byte, 1) != 1) _exit(8);
        code = 0;
      } catch (const Error& e) {
        code = e.code() == store::error::thread_busy ? 3 : 4;
      } catch (...) {
        code = 5;
      }
      _exit(code);
    }
  }
  close(go[0]);
  close(release[0]);
  REQUIRE(write(go[1], "gg", 2) == 2);
  close(go[1]);
  // The loser must exit on its own, while the winner still holds the lease.
  int status = 0;
  pid_t first = 0;
  for (int i = 0; i < 2000 && first == 0; ++i) {
    first = waitpid(-1, &status, WNOHANG);
    if (first == 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (first <= 0) {  // both stuck: both got the lease (the bug under test); unblock them
    kill(children[0], SIGKILL);
    kill(children[1], SIGKILL);
  }
  REQUIRE(first > 0);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 3);
  const pid_t winner = first == children[0] ? children[1] : children[0];
  REQUIRE(write(release[1], "r", 1) == 1);
  close(release[1]);
  CHECK(wait_exit_code(winner) == 0);
  SqliteStore store(path);
  auto history = store.list("t", "");
  CHECK(history.size() == 51);
  for (auto& tuple : history) CHECK(tuple.values.at("owner") == std::int64_t{winner});
  CHECK_FALSE(store.lease("t"));  // released on exit
}

TEST_CASE("after asynchronous puts the final status and the lease release commit behind the queued writes") {
  test::TempDir dir;
  const std::string path = dir.file("a.db");
  SqliteStore store(path);
  SqliteStore other(path);
  boost::json::object values;
  {
    auto lease = store.acquire_lease("t");
    store.set_thread_status("t", ThreadStatus::running, "g", {});
    test::put(store, values, record("t", cid(0), "", -1, {delta("n", DeltaOp::replace, 0)}), Durability::async);
    for (int i = 1; i <= 50; ++i)
      test::put(store, values, record("t", cid(i), cid(i - 1), i - 1, {delta("n", DeltaOp::replace, i)}),
                Durability::async);
    store.set_thread_status("t", ThreadStatus::done, "g", boost::json::object{{"steps", 50}});
  }
  store.flush();
  auto info = other.thread("t");
  REQUIRE(info);
  CHECK(info->status == ThreadStatus::done);
  CHECK(info->metadata.at("steps") == 50);
  CHECK(info->latest_checkpoint_id == cid(50));
  CHECK_FALSE(other.lease("t"));
  CHECK(other.acquire_lease("t"));
}

TEST_CASE("the same store takes a thread again while its release of the previous run's lease is still queued") {
  test::TempDir dir;
  const std::string path = dir.file("a.db");
  SqliteOptions slow;
  slow.async_commit_delay_ms = 60'000;  // the writer thread never commits on its own in this test
  SqliteStore store(path, slow);
  SqliteStore other(path);
  boost::json::object values;
  {
    auto lease = store.acquire_lease("t");
    test::put(store, values, record("t", cid(0), "", -1, {delta("n", DeltaOp::replace, 0)}), Durability::async);
    store.flush();
  }                                       // release queued behind the (already committed) writes
  REQUIRE(other.lease("t"));              // not yet deleted in the file
  auto again = store.acquire_lease("t");  // our own queued release does not make us busy
  REQUIRE(again);
  // ...while another store still may not take it, and the stale release does not drop the new lease.
  CHECK_THROWS_AS(other.acquire_lease("t"), Error);
  store.flush();
  REQUIRE(other.lease("t"));
  CHECK_THROWS_AS(other.acquire_lease("t"), Error);
  again.reset();
  store.flush();
  CHECK_FALSE(other.lease("t"));
}

TEST_CASE("loading a checkpoint commits queued checkpoints first but leaves a lone queued status change queued") {
  test::TempDir dir;
  const std::string path = dir.file("a.db");
  SqliteOptions slow;
  slow.async_commit_delay_ms = 60'000;  // the writer thread never commits on its own in this test
  SqliteStore store(path, slow);
  SqliteStore other(path);
  boost::json::object values;
  test::put(store, values, record("t", cid(0), "", -1, {delta("n", DeltaOp::replace, 7)}), Durability::async);
  auto loaded = store.get("t", "");
  REQUIRE(loaded);  // the queued checkpoint was committed for the read
  CHECK(loaded->values.at("n") == 7);
  REQUIRE(other.get("t", ""));
  store.set_thread_status("t", ThreadStatus::done, "g", {});  // queued: the last put was async
  CHECK(store.get("t", ""));
  CHECK(other.thread("t")->status == ThreadStatus::running);  // the load did not wait for it
  CHECK(store.thread("t")->status == ThreadStatus::done);     // a thread read commits it first
  CHECK(other.thread("t")->status == ThreadStatus::done);
}

TEST_CASE("start_run takes the lease and loads the latest checkpoint in one go, or takes nothing") {
  test::TempDir dir;
  const std::string path = dir.file("a.db");
  SqliteStore store(path);
  SqliteStore other(path);
  boost::json::object values;
  test::put(store, values, record("t", cid(0), "", -1, {delta("n", DeltaOp::replace, 1)}));
  test::put(store, values, record("t", cid(1), cid(0), 0, {delta("n", DeltaOp::replace, 2)}));
  {
    Checkpointer::RunStart start = store.start_run("t", "");
    REQUIRE(start.lease);
    REQUIRE(start.checkpoint);
    CHECK(start.checkpoint->record.id == cid(1));
    CHECK(start.checkpoint->values.at("n") == 2);
    CHECK(other.lease("t"));
    CHECK_THROWS_AS(other.start_run("t", ""), Error);  // busy: and it took nothing
    CHECK(store.start_run("fresh", "").checkpoint == std::nullopt);
  }
  store.flush();
  CHECK_FALSE(other.lease("t"));
  CHECK(other.start_run("t", cid(0)).checkpoint->values.at("n") == 1);
  // A checkpoint that cannot be loaded leaves the thread unleased.
  {
    SQLite::Database raw(path, SQLite::OPEN_READWRITE);
    raw.exec("UPDATE checkpoints SET deltas = 'not json' WHERE thread_id = 't' AND checkpoint_id = '" + cid(1) + "'");
  }
  CHECK_THROWS_AS(other.start_run("t", ""), Error);
  CHECK_FALSE(other.lease("t"));
}
