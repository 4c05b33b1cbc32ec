// SPDX-License-Identifier: MIT
// PostgresStore beyond the shared conformance suite (tests/conformance): fencing after a takeover
// of an expired lease, takeover from a dead holder, awaitable operations that wait on the
// database without blocking their executor, and delta storage with geometric snapshots.
#include "store/check.hpp"
#include "store/error.hpp"
#include "store/postgres_store.hpp"
#include "tests/support/postgres.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

using namespace weft;
using namespace std::chrono_literals;

namespace {

CheckpointRecord record(std::string id, std::string parent, std::int64_t step, std::vector<ChannelDelta> deltas) {
  CheckpointRecord r;
  r.thread_id = "t";
  r.id = std::move(id);
  r.parent_id = std::move(parent);
  r.step = step;
  r.source = parent.empty() ? CheckpointSource::input : CheckpointSource::loop;
  r.created_at_ms = 1'700'000'000'000 + step;
  r.metadata = boost::json::object{{"graph", "g"}};
  r.deltas = std::move(deltas);
  return r;
}

void put(PostgresStore& store, boost::json::object& values, const CheckpointRecord& r) {
  for (const ChannelDelta& d : r.deltas) apply_delta(values, d);
  store.put_checkpoint(r, values, Durability::sync);
}

template <class F>
void expect_lease_lost(F&& write) {
  try {
    write();
    FAIL("a holder that lost its lease wrote");
  } catch (const Error& e) {
    CHECK(e.code() == store::error::lease_lost);
  }
}

}  // namespace

TEST_CASE("a holder paused past its lease writes nothing once another store took the thread over") {
  test::TestDatabase db;
  PostgresStore first(db.url());
  PostgresStore second(db.url());
  boost::json::object values;
  auto lease = first.acquire_lease("t");
  put(first, values, record("cp-0", "", -1, {{"x", DeltaOp::replace, 1}}));
  first.begin("t", "effect-1");
  // The first holder stops renewing (paused, partitioned): its lease expires.
  db.sql("UPDATE weft_leases SET expires_at_ms = 0 WHERE thread_id = 't'");
  auto taken = second.acquire_lease("t");
  CHECK(db.sql("SELECT epoch FROM weft_leases WHERE thread_id = 't'").int64(0, 0) == 2);
  boost::json::object stale = values;
  expect_lease_lost([&] { put(first, stale, record("cp-1", "cp-0", 0, {{"x", DeltaOp::replace, 99}})); });
  expect_lease_lost([&] {
    first.put_writes(TaskWrites{"t", "", "cp-0", "task", "n", {ChannelWrite{"x", 99}}}, Durability::sync);
  });
  expect_lease_lost([&] { first.finish("t", "effect-1", "done by the stale holder"); });
  expect_lease_lost([&] { first.begin("t", "effect-2"); });
  CHECK(db.sql("SELECT count(*) FROM weft_checkpoints").int64(0, 0) == 1);
  CHECK(db.sql("SELECT count(*) FROM weft_writes").int64(0, 0) == 0);
  CHECK(second.find("t", "effect-1").state == EffectState::started);
  CHECK(second.find("t", "effect-2").state == EffectState::absent);
  // The new holder continues.
  put(second, values, record("cp-1", "cp-0", 0, {{"x", DeltaOp::replace, 2}}));
  CHECK(second.get("t", "")->values.at("x") == 2);
}

TEST_CASE("a lease whose holder process is gone (same host) is taken over at once") {
  test::TestDatabase db;
  PostgresStore first(db.url());
  PostgresStore second(db.url());
  auto lease = first.acquire_lease("t");
  CHECK_THROWS_AS(second.acquire_lease("t"), Error);
  db.sql("UPDATE weft_leases SET owner_pid = 2147483000, owner_start = '' WHERE thread_id = 't'");  // no such pid
  CHECK_FALSE(second.has_live_run("t"));
  auto taken = second.acquire_lease("t");
  CHECK(second.lease("t")->pid == getpid());
}

TEST_CASE("an awaited write that waits on a lock suspends only its run: the executor keeps working") {
  test::TestDatabase db;
  PostgresStore store(db.url());
  boost::json::object values;
  auto lease = store.acquire_lease("t");
  // Another session holds the lease row: the fenced write must wait for it.
  store::postgres::detail::Connection blocker(db.url());
  blocker.exec("BEGIN");
  blocker.exec("SELECT 1 FROM weft_leases WHERE thread_id = 't' FOR UPDATE");
  std::thread release([&] {
    std::this_thread::sleep_for(400ms);
    blocker.exec("COMMIT");
  });
  boost::asio::io_context io;
  int ticks = 0;
  bool written = false;
  CheckpointRecord r = record("cp-0", "", -1, {{"x", DeltaOp::replace, 1}});
  values["x"] = 1;
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        co_await store.async_put_checkpoint(r, &values, Durability::sync);
        written = true;
      },
      [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
      });
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
        while (!written) {
          timer.expires_after(20ms);
          co_await timer.async_wait(boost::asio::use_awaitable);
          ++ticks;
        }
      },
      boost::asio::detached);
  io.run();
  release.join();
  CHECK(written);
  CHECK(ticks >= 10);
  CHECK(store.get("t", "")->values.at("x") == 1);
}

TEST_CASE("1,000 appended messages are stored as deltas with geometrically spaced snapshots") {
  test::TestDatabase db;
  PostgresStore store(db.url());
  boost::json::object values{{"messages", boost::json::array{}}};
  std::string parent;
  for (int i = 0; i < 1000; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "cp-%06d", i);
    std::string body(200, static_cast<char>('a' + i % 26));
    put(store, values,
        record(id, parent, i - 1,
               {{"messages", DeltaOp::append, boost::json::array{boost::json::object{{"content", body}}}}}));
    parent = id;
  }
  CHECK(db.sql("SELECT count(*) FROM weft_checkpoints WHERE snapshot IS NOT NULL").int64(0, 0) < 20);
  const std::int64_t bytes =
      db.sql("SELECT sum(length(deltas)) + sum(coalesce(length(snapshot), 0)) FROM weft_checkpoints").int64(0, 0);
  CHECK(bytes < 4 * 1000 * 230);  // linear in the history, not quadratic (a full copy per step: ~100 MB)
  auto got = store.get("t", "");
  REQUIRE(got);
  CHECK(got->values == values);
  CHECK(store.get("t", "", "cp-000500")->values.at("messages").as_array().size() == 501);
}

TEST_CASE("store::check on a PostgreSQL URL passes a sound database and names damaged rows") {
  test::TestDatabase db;
  {
    PostgresStore store(db.url());
    boost::json::object values;
    put(store, values, record("cp-0", "", -1, {{"x", DeltaOp::replace, 1}}));
    put(store, values, record("cp-1", "cp-0", 0, {{"x", DeltaOp::replace, 2}}));
  }
  store::CheckReport sound = store::check(db.url());
  CHECK(sound.ok());
  CHECK(sound.checkpoints == 2);
  CHECK(sound.schema_version == 1);
  CHECK(sound.path.find("***") != std::string::npos);
  db.sql("UPDATE weft_checkpoints SET deltas = 'not json' WHERE checkpoint_id = 'cp-1'");
  db.sql("INSERT INTO weft_writes VALUES ('t', '', 'cp-9', 'task', 'n', '[]', false, 0)");
  store::CheckReport damaged = store::check(db.url());
  REQUIRE(damaged.problems.size() == 2);
  CHECK(damaged.problems[0].what.find("belong to no stored checkpoint") != std::string::npos);
  CHECK(damaged.problems[1].where == "checkpoints thread 't' ns ''");
  INFO(damaged.problems[1].what);
  CHECK(damaged.problems[1].what.find("cp-1") != std::string::npos);
}
