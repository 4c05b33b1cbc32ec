// SPDX-License-Identifier: MIT
// SqliteStore's thread table: status, metadata, listing and deletion.
#include "store/sqlite_store.hpp"

#include "fixtures.hpp"

#include <doctest/doctest.h>

using namespace weft;
using test::cid;
using test::delta;
using test::record;

TEST_CASE("a thread appears with its first checkpoint and carries status, graph and metadata") {
  test::TempDir dir;
  SqliteStore store(dir.file("a.db"));
  boost::json::object values;
  test::put(store, values, record("t1", cid(0), "", -1, {delta("n", DeltaOp::replace, 0)}));
  auto info = store.thread("t1");
  REQUIRE(info);
  CHECK(info->status == ThreadStatus::running);
  CHECK(info->graph == "test_graph");
  CHECK(info->latest_checkpoint_id == cid(0));
  CHECK(info->created_at_ms > 0);

  test::put(store, values, record("t1", cid(1), cid(0), 0, {delta("n", DeltaOp::replace, 1)}));
  store.set_thread_status("t1", ThreadStatus::interrupted, "spam_triage",
                          boost::json::object{{"waiting_for", "approval"}});
  info = store.thread("t1");
  CHECK(info->status == ThreadStatus::interrupted);
  CHECK(info->graph == "spam_triage");
  CHECK(info->metadata.at("waiting_for") == "approval");
  CHECK(info->latest_checkpoint_id == cid(1));
  CHECK(info->updated_at_ms >= info->created_at_ms);

  store.set_thread_status("t2", ThreadStatus::failed, "g", boost::json::object{{"error", "node 'x' failed"}});
  store.set_thread_status("t3", ThreadStatus::done, "", {});
  auto all = store.threads();
  REQUIRE(all.size() == 3);
  std::map<std::string, ThreadStatus> statuses;
  for (auto& t : all) statuses[t.thread_id] = t.status;
  CHECK(statuses["t1"] == ThreadStatus::interrupted);
  CHECK(statuses["t2"] == ThreadStatus::failed);
  CHECK(statuses["t3"] == ThreadStatus::done);
  CHECK(store.thread("t2")->latest_checkpoint_id.empty());
  CHECK_FALSE(store.thread("nope"));
}

TEST_CASE("delete_thread removes its checkpoints, writes, effects and status but no other thread's") {
  test::TempDir dir;
  SqliteStore store(dir.file("a.db"));
  boost::json::object a, b;
  test::put(store, a, record("a", cid(0), "", -1, {delta("n", DeltaOp::replace, 0)}));
  test::put(store, a, record("a", cid(1), cid(0), 0, {delta("n", DeltaOp::replace, 1)}));
  store.put_writes(TaskWrites{"a", "", cid(1), "task", "n", {ChannelWrite{"n", 2}}}, Durability::sync);
  store.begin("a", "k");
  test::put(store, b, record("b", cid(0), "", -1, {delta("n", DeltaOp::replace, 9)}));
  store.begin("b", "k");

  store.delete_thread("a");
  CHECK_FALSE(store.get("a", ""));
  CHECK(store.list("a", "").empty());
  CHECK_FALSE(store.thread("a"));
  CHECK(store.find("a", "k").state == EffectState::absent);
  CHECK(store.get("b", "")->values.at("n") == 9);
  CHECK(store.find("b", "k").state == EffectState::started);

  // The thread id can be reused from scratch afterwards.
  boost::json::object fresh;
  test::put(store, fresh, record("a", cid(5), cid(4), 4, {delta("n", DeltaOp::replace, 5)}));
  CHECK(store.get("a", "")->values.at("n") == 5);
}
