// SPDX-License-Identifier: MIT
// SqliteStore as an EffectJournal.
#include "store/sqlite_store.hpp"

#include "fixtures.hpp"
#include "store/check.hpp"
#include "store/error.hpp"

#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

using namespace weft;

TEST_CASE("an effect goes absent, started, done and its result survives reopening") {
  test::TempDir dir;
  {
    SqliteStore store(dir.file("a.db"));
    CHECK(store.find("t", "send:1").state == EffectState::absent);
    store.begin("t", "send:1");
    auto started = store.find("t", "send:1");
    CHECK(started.state == EffectState::started);
    CHECK(started.started_at_ms > 0);
    CHECK(started.finished_at_ms == 0);
    store.finish("t", "send:1", boost::json::object{{"message_id", "m-42"}});
  }
  SqliteStore again(dir.file("a.db"));
  auto done = again.find("t", "send:1");
  CHECK(done.state == EffectState::done);
  CHECK(done.result == boost::json::object{{"message_id", "m-42"}});
  CHECK(done.finished_at_ms >= done.started_at_ms);
  CHECK(again.find("other-thread", "send:1").state == EffectState::absent);
}

TEST_CASE("begin on a done effect is refused with effect_conflict, on a started one it re-begins") {
  test::TempDir dir;
  SqliteStore store(dir.file("a.db"));
  store.begin("t", "k");
  store.begin("t", "k");  // reconciled as not having happened: run it again
  CHECK(store.find("t", "k").state == EffectState::started);
  store.finish("t", "k", 1);
  try {
    store.begin("t", "k");
    FAIL("begin on a done effect accepted");
  } catch (const Error& e) {
    CHECK(e.code() == store::error::effect_conflict);
    CHECK(std::string(e.what()).find("effect 'k'") != std::string::npos);
  }
  CHECK(store.find("t", "k").result == 1);
}

TEST_CASE("abandon removes a started effect so a retry may run it") {
  test::TempDir dir;
  SqliteStore store(dir.file("a.db"));
  store.begin("t", "k");
  store.abandon("t", "k");
  CHECK(store.find("t", "k").state == EffectState::absent);
  store.begin("t", "k");
  CHECK(store.find("t", "k").state == EffectState::started);
}

TEST_CASE("finish without begin records a reconciled effect as done") {
  test::TempDir dir;
  SqliteStore store(dir.file("a.db"));
  store.finish("t", "k", "reconciled");
  CHECK(store.find("t", "k").state == EffectState::done);
  CHECK(store.find("t", "k").result == "reconciled");
}

TEST_CASE("begin is durable before it returns even when checkpoints are asynchronous") {
  test::TempDir dir;
  const std::string path = dir.file("a.db");
  { SqliteStore init(path); }
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    int code = 1;
    try {
      SqliteStore store(path);
      boost::json::object values;
      test::put(store, values, test::record("t", test::cid(0), "", -1, {}), Durability::async);
      store.begin("t", "post:1");
      code = 0;
    } catch (...) {}
    _exit(code);  // dies "inside the effect": no finish, no destructor, no flush
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  SqliteStore store(path);
  CHECK(store.find("t", "post:1").state == EffectState::started);  // in doubt: the caller reconciles
  CHECK(store.get("t", ""));  // the checkpoint queued before begin() is durable too
}

TEST_CASE("an effect's request digest is kept through finish and reopening and replaced when re-begun") {
  test::TempDir dir;
  {
    SqliteStore store(dir.file("a.db"));
    store.begin_request("t", "k", "digest-a");
    CHECK(store.find("t", "k").request_digest == "digest-a");
    store.begin_request("t", "k", "digest-b");  // a started entry begun again (reconciled): the new request
    store.finish("t", "k", 1);
  }
  SqliteStore again(dir.file("a.db"));
  CHECK(again.find("t", "k").request_digest == "digest-b");
  again.begin("t", "plain");
  CHECK(again.find("t", "plain").request_digest.empty());
}

TEST_CASE("a schema 2 journal is migrated in place: its entries stay, unbound, and new ones carry a digest") {
  test::TempDir dir;
  const std::string path = dir.file("v2.db");
  {
    SqliteStore store(path);
    store.begin("t", "old");
    store.finish("t", "old", boost::json::object{{"sent", true}});
  }
  // Make it what schema 2 wrote.
  test::raw_sql(path, "ALTER TABLE effects DROP COLUMN request_digest; DELETE FROM weft_schema WHERE version = 3");
  CHECK(store::check(path).schema_version == 2);

  SqliteStore store(path);
  const EffectEntry old = store.find("t", "old");
  CHECK(old.state == EffectState::done);
  CHECK(old.result == boost::json::object{{"sent", true}});
  CHECK(old.request_digest.empty());
  store.begin_request("t", "new", "d1");
  CHECK(store.find("t", "new").request_digest == "d1");
  CHECK(store::check(path).schema_version == 3);
}
