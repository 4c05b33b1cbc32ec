// SPDX-License-Identifier: MIT
// Prepared statements (a step's checkpoint is parsed and planned once per connection): the cache
// lives and dies with its connection, a statement that fails to prepare caches nothing, a killed
// session fails cleanly and its replacement prepares again; and the checkpoint that skips the
// thread row (a fenced run's later steps) can never leave a checkpoint without its thread.
#include "store/check.hpp"
#include "store/error.hpp"
#include "store/postgres/detail/connection.hpp"
#include "store/postgres_store.hpp"
#include "tests/support/postgres.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <doctest/doctest.h>

using namespace weft;
using weft::store::postgres::detail::Connection;
using weft::store::postgres::detail::Params;
using weft::store::postgres::detail::Result;

namespace {

/// Runs one prepared statement on `c` to completion.
Result prepared(Connection& c, std::string_view sql, Params params = {}) {
  boost::asio::io_context io;
  auto done = boost::asio::co_spawn(io, c.async_exec_prepared(sql, std::move(params)), boost::asio::use_future);
  io.run();
  return done.get();
}

std::int64_t prepared_count(Connection& c) { return c.exec("SELECT count(*) FROM pg_prepared_statements").int64(0, 0); }

/// The SQLSTATE a call fails with (error::postgres), or "" if it does not fail that way.
template <class F>
std::string postgres_failure(F&& call) {
  try {
    call();
  } catch (const Error& e) {
    if (e.code() != store::error::postgres) return "other error: " + std::string(e.what());
    std::string what = e.what();
    std::size_t at = what.find("SQLSTATE ");
    return at == std::string::npos ? "no SQLSTATE" : what.substr(at + 9, 5);
  }
  return "";
}

CheckpointRecord record(std::string id, std::string parent, std::int64_t step, std::int64_t x) {
  CheckpointRecord r;
  r.thread_id = "t";
  r.id = std::move(id);
  r.parent_id = std::move(parent);
  r.step = step;
  r.source = r.parent_id.empty() ? CheckpointSource::input : CheckpointSource::loop;
  r.created_at_ms = 1'700'000'000'000 + step;
  r.metadata = boost::json::object{{"graph", "g"}};
  r.deltas = {{"x", DeltaOp::replace, x}};
  return r;
}

void put(PostgresStore& store, boost::json::object& values, const CheckpointRecord& r) {
  for (const ChannelDelta& d : r.deltas) apply_delta(values, d);
  store.put_checkpoint(r, values, Durability::sync);
}

/// A run's first two checkpoints (cp-0, then cp-1: a later step, the form without the thread row
/// when `store` holds the lease).
void put_two_steps(PostgresStore& store, boost::json::object& values) {
  put(store, values, record("cp-0", "", -1, 1));
  put(store, values, record("cp-1", "cp-0", 0, 2));
}

std::int64_t count(const test::TestDatabase& db, const std::string& table) {
  return db.sql("SELECT count(*) FROM " + table).int64(0, 0);
}

}  // namespace

TEST_CASE("a statement is prepared once per connection and run with each call's parameters") {
  Connection c(test::postgres_url());
  CHECK(prepared(c, "SELECT $1::bigint * 2", Params().add(21)).int64(0, 0) == 42);
  CHECK(prepared(c, "SELECT $1::bigint * 2", Params().add(5)).int64(0, 0) == 10);
  CHECK(prepared_count(c) == 1);
  CHECK(prepared(c, "SELECT $1::text || '!'", Params().add("hi")).text(0, 0) == "hi!");
  CHECK(prepared_count(c) == 2);
  Connection fresh(test::postgres_url());  // a new session has none: it prepares its own
  CHECK(prepared_count(fresh) == 0);
  CHECK(prepared(fresh, "SELECT $1::bigint * 2", Params().add(4)).int64(0, 0) == 8);
  CHECK(prepared_count(fresh) == 1);
}

TEST_CASE("a statement that fails to prepare caches nothing and leaves the connection usable") {
  test::TestDatabase db;
  Connection c(db.url());
  const std::string_view sql = "SELECT count(*) FROM later_table WHERE n = $1::bigint";
  CHECK(postgres_failure([&] { prepared(c, sql, Params().add(1)); }) == "42P01");
  CHECK(c.usable());
  CHECK(prepared_count(c) == 0);
  // Once the table exists the same text prepares (nothing stale was remembered for it).
  db.sql("CREATE TABLE later_table (n BIGINT)");
  CHECK(prepared(c, sql, Params().add(1)).int64(0, 0) == 0);
  // An execution that fails keeps the statement and the connection.
  CHECK(postgres_failure([&] { prepared(c, "SELECT 1 / $1::int", Params().add(0)); }) == "22012");
  CHECK(prepared(c, "SELECT 1 / $1::int", Params().add(1)).int64(0, 0) == 1);
  CHECK(prepared_count(c) == 2);
}

TEST_CASE("a prepared call on a session the server killed fails with error::postgres; its replacement prepares") {
  Connection c(test::postgres_url());
  CHECK(prepared(c, "SELECT $1::bigint + 1", Params().add(1)).int64(0, 0) == 2);
  const std::int64_t pid = c.exec("SELECT pg_backend_pid()").int64(0, 0);
  Connection admin(test::postgres_url());
  admin.exec("SELECT pg_terminate_backend($1::int)", Params().add(pid));
  CHECK_FALSE(postgres_failure([&] { prepared(c, "SELECT $1::bigint + 1", Params().add(2)); }).empty());
  CHECK_FALSE(c.usable());
  Connection replacement(test::postgres_url());
  CHECK(prepared(replacement, "SELECT $1::bigint + 1", Params().add(2)).int64(0, 0) == 3);
}

TEST_CASE("a store whose pooled sessions were killed fails those writes cleanly, then writes on new ones") {
  test::TestDatabase db;
  PostgresStore store(db.url());
  boost::json::object values;
  auto lease = store.acquire_lease("t");
  put_two_steps(store, values);
  db.sql(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database()"
      " AND application_name = 'weft' AND pid <> pg_backend_pid()");
  int failed = 0;
  bool written = false;
  for (int attempt = 0; attempt < 9 && !written; ++attempt) {  // the pool holds at most 8 sessions
    std::string failure = postgres_failure([&] { put(store, values, record("cp-2", "cp-1", 1, 3)); });
    written = failure.empty();
    if (!written) ++failed;
  }
  CHECK(written);
  CHECK(failed >= 1);  // the killed session was found dead by a write, not silently skipped
  CHECK(store.get("t", "")->values.at("x") == 3);
  CHECK(count(db, "weft_checkpoints") == 3);
}

TEST_CASE("a run whose thread was deleted under it (lease broken) writes nothing more, thread row or not") {
  test::TestDatabase db;
  PostgresStore first(db.url());
  PostgresStore second(db.url());
  boost::json::object values;
  auto lease = first.acquire_lease("t");
  put_two_steps(first, values);
  CHECK(second.break_lease("t"));
  second.delete_thread("t");
  try {
    put(first, values, record("cp-2", "cp-1", 1, 3));
    FAIL("a holder whose lease was broken wrote");
  } catch (const Error& e) {
    CHECK(e.code() == store::error::lease_lost);
  }
  CHECK(count(db, "weft_checkpoints") == 0);
  CHECK(count(db, "weft_threads") == 0);
  CHECK(store::check(db.url()).ok());
}

TEST_CASE("a store that deleted its own thread mid-run writes the thread row again with its next checkpoint") {
  test::TestDatabase db;
  PostgresStore store(db.url());
  boost::json::object values;
  auto lease = store.acquire_lease("t");
  put_two_steps(store, values);
  store.delete_thread("t");
  put(store, values, record("cp-2", "cp-1", 1, 3));
  CHECK(count(db, "weft_threads") == 1);
  CHECK(count(db, "weft_checkpoints") == 1);
  CHECK(store.get("t", "")->values.at("x") == 3);
  CHECK(store::check(db.url()).ok());
}

TEST_CASE(
    "an unfenced writer whose thread another store deleted writes the thread row again with its next checkpoint") {
  test::TestDatabase db;
  PostgresStore writer(db.url());  // no lease: nothing stops another store from deleting the thread
  PostgresStore other(db.url());
  boost::json::object values;
  put_two_steps(writer, values);
  other.delete_thread("t");
  put(writer, values, record("cp-2", "cp-1", 1, 3));  // its parent is still the writer's last row in memory
  CHECK(count(db, "weft_threads") == 1);
  // (Its row is a delta on a parent that is gone: unfenced writes racing a delete are not
  // protected, which is what leases are for. What this case proves is the thread row.)
  CHECK(db.sql("SELECT count(*) FROM weft_checkpoints c WHERE NOT EXISTS"
               " (SELECT 1 FROM weft_threads t WHERE t.thread_id = c.thread_id)")
            .int64(0, 0) == 0);
}
