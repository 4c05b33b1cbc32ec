// SPDX-License-Identifier: MIT
// SqliteStore's commits and connection: async puts and their failures, read-only stores, WAL and
// synchronous settings, exclusive locking, an asynchronous batch's writes.
#include "store/sqlite_store.hpp"
#include "store/check.hpp"

#include "checkpoint_helpers.hpp"
#include "fixtures.hpp"

#include <doctest/doctest.h>

#include <map>

using namespace weft;
using weft::test::cid;
using weft::test::delta;
using weft::test::record;
using weft::test::sqlite_checkpoints::scalar;
using weft::test::sqlite_checkpoints::task_writes;

TEST_CASE("async puts commit in order and are visible after flush") {
  test::TempDir dir;
  boost::json::object values;
  {
    SqliteOptions keep;
    keep.keep_consumed_writes = true;
    SqliteStore store(dir.file("a.db"), keep);
    test::put(store, values, record("t", cid(0), "", -1, {delta("log", DeltaOp::append, boost::json::array{0})}),
              Durability::async);
    for (int i = 1; i <= 300; ++i) {
      store.put_writes(task_writes("t", cid(i - 1), "task", i), Durability::async);
      test::put(store, values,
                record("t", cid(i), cid(i - 1), i - 1, {delta("log", DeltaOp::append, boost::json::array{i})}),
                Durability::async);
    }
    store.flush();
    // Another connection sees everything once flush() returned.
    CHECK(scalar(dir.file("a.db"), "SELECT count(*) FROM checkpoints") == 301);
    CHECK(scalar(dir.file("a.db"), "SELECT count(*) FROM writes") == 300);
    CHECK(store.get("t", "")->values == values);  // reads also see queued writes
  }
  SqliteStore again(dir.file("a.db"));
  CHECK(again.get("t", "")->values == values);
}

TEST_CASE("an async commit failure is reported by flush and by every later write") {
  test::TempDir dir;
  SqliteOptions options;
  options.busy_timeout_ms = 50;
  SqliteStore store(dir.file("a.db"), options);
  boost::json::object values;
  test::put(store, values, record("t", cid(0), "", -1, {}));
  // Another connection holds the write lock longer than the busy timeout.
  SQLite::Database other(dir.file("a.db"), SQLite::OPEN_READWRITE);
  other.exec("BEGIN IMMEDIATE");
  test::put(store, values, record("t", cid(1), cid(0), 0, {delta("n", DeltaOp::replace, 1)}), Durability::async);
  try {
    store.flush();
    FAIL("flush() did not report the failed commit");
  } catch (const Error& e) {
    CHECK(e.code() == store::error::write_failed);
    CHECK(std::string(e.what()).find("asynchronous commit") != std::string::npos);
    CHECK(std::string(e.what()).find("locked") != std::string::npos);
  }
  other.exec("ROLLBACK");
  CHECK_THROWS_AS(test::put(store, values, record("t", cid(2), cid(1), 1, {}), Durability::sync), Error);
}

TEST_CASE("a read-only store reads but refuses to write") {
  test::TempDir dir;
  boost::json::object values;
  {
    SqliteStore store(dir.file("a.db"));
    test::put(store, values, record("t", cid(0), "", -1, {delta("n", DeltaOp::replace, 1)}));
  }
  SqliteOptions options;
  options.read_only = true;
  SqliteStore ro(dir.file("a.db"), options);
  CHECK(ro.get("t", "")->values == values);
  try {
    ro.put_checkpoint(record("t", cid(1), cid(0), 0, {}), values, Durability::sync);
    FAIL("a read-only store accepted a write");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("read-only") != std::string::npos);
  }
}

TEST_CASE("the connection runs in WAL mode with synchronous NORMAL by default and FULL when selected") {
  test::TempDir dir;
  SqliteStore normal(dir.file("a.db"));
  CHECK(normal.read_pragma("journal_mode") == "wal");
  CHECK(normal.read_pragma("synchronous") == "1");
  CHECK(normal.read_pragma("busy_timeout") == "5000");
  SqliteOptions full;
  full.synchronous = SqliteOptions::Synchronous::full;
  full.busy_timeout_ms = 1234;
  SqliteStore strict(dir.file("b.db"), full);
  CHECK(strict.read_pragma("synchronous") == "2");
  CHECK(strict.read_pragma("busy_timeout") == "1234");
  CHECK_THROWS_AS(strict.read_pragma("journal_mode = DELETE"), Error);
}

TEST_CASE("exclusive locking is opt-in and keeps every other connection off the file until the store closes") {
  test::TempDir dir;
  const std::string path = dir.file("a.db");
  {
    SqliteStore shared(path);
    CHECK(shared.read_pragma("locking_mode") == "normal");
  }
  SqliteOptions quick;
  quick.busy_timeout_ms = 50;
  {
    SqliteOptions exclusive;
    exclusive.exclusive_locking = true;
    SqliteStore owner(path, exclusive);
    CHECK(owner.read_pragma("locking_mode") == "exclusive");
    boost::json::object values;
    test::put(owner, values, record("t", cid(0), "", -1, {delta("counter", DeltaOp::replace, 1)}));
    test::put(owner, values, record("t", cid(1), cid(0), 0, {delta("counter", DeltaOp::replace, 2)}));
    CHECK(owner.get("t", "")->values.at("counter") == 2);
    try {
      SqliteStore other(path, quick);
      (void)other.threads();
      FAIL("a second connection used an exclusively locked file");
    } catch (const Error& e) {
      CHECK(e.code() == std::error_code(store::error::busy));
    }
  }
  SqliteStore after(path, quick);  // released on close, everything committed
  CHECK(after.get("t", "")->values.at("counter") == 2);
}

TEST_CASE("an asynchronous batch leaves exactly the unconsumed and kept writes") {
  test::TempDir dir;
  const std::string path = dir.file("a.db");
  SqliteOptions slow;
  slow.async_commit_delay_ms = 200;  // everything below lands in one batch
  SqliteStore store(path, slow);
  boost::json::object values;
  test::put(store, values, record("t", cid(0), "", -1, {}), Durability::async);
  for (int i = 1; i <= 5; ++i) {
    store.put_writes(task_writes("t", cid(i - 1), "task", i), Durability::async);
    if (i == 3) {
      store.put_writes(TaskWrites{"t", "", cid(2), "asking", "n", {ChannelWrite{std::string(kInterruptChannel), "?"}}},
                       Durability::async);
    }
    test::put(store, values, record("t", cid(i), cid(i - 1), i - 1, {delta("counter", DeltaOp::replace, i)}),
              Durability::async);
  }
  store.put_writes(task_writes("t", cid(5), "pending", 6), Durability::async);  // not consumed yet
  store.flush();
  CHECK(scalar(path, "SELECT count(*) FROM writes") == 2);
  CHECK(scalar(path, "SELECT count(*) FROM writes WHERE task_id = 'asking' AND checkpoint_id = 'cp-00000002'") == 1);
  CHECK(store.get("t", "")->pending_writes.size() == 1);
  CHECK(store.get("t", "")->values.at("counter") == 5);
}
