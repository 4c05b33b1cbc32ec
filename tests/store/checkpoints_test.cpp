// SPDX-License-Identifier: MIT
// SqliteStore as a Checkpointer: puts, loads, history, forks, snapshots, repeated metadata (the
// cases every store shares are in tests/conformance, run on SQLite too; commit modes and the
// connection's settings are in checkpoints_durability_test.cpp).
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

TEST_CASE("a checkpoint is read back with its record, folded values and pending writes") {
  test::TempDir dir;
  SqliteStore store(dir.file("a.db"));
  boost::json::object values;
  auto r =
      record("t1", cid(0), "", -1, {delta("counter", DeltaOp::replace, 0), delta("log", DeltaOp::replace, "start")});
  r.next = boost::json::object{{"nodes", boost::json::array{"step"}}};
  test::put(store, values, r);
  store.put_writes(task_writes("t1", cid(0), "task-b", 2), Durability::sync);
  store.put_writes(task_writes("t1", cid(0), "task-a", 1), Durability::sync);

  auto got = store.get("t1", "", cid(0));
  REQUIRE(got);
  CHECK(got->record.id == cid(0));
  CHECK(got->record.parent_id.empty());
  CHECK(got->record.step == -1);
  CHECK(got->record.source == CheckpointSource::input);
  CHECK(got->record.created_at_ms == r.created_at_ms);
  CHECK(got->record.metadata == r.metadata);
  CHECK(got->record.next == r.next);
  REQUIRE(got->record.deltas.size() == 2);
  CHECK(got->record.deltas[1].channel == "log");
  CHECK(got->record.deltas[1].value == "start");
  CHECK(got->values == values);
  REQUIRE(got->pending_writes.size() == 2);
  CHECK(got->pending_writes[0].task_id == "task-a");  // ordered by task id, not arrival
  CHECK(got->pending_writes[0].task_name == "node_task-a");
  CHECK(got->pending_writes[0].writes[0].value == 1);
  CHECK(got->pending_writes[1].task_id == "task-b");
}

TEST_CASE("every checkpoint folds to the engine's values across snapshots and all delta kinds") {
  test::TempDir dir;
  SqliteOptions options;
  options.snapshot_min_steps = 3;
  options.snapshot_max_steps = 7;
  SqliteStore store(dir.file("a.db"), options);
  boost::json::object values;
  std::map<std::string, boost::json::object> expected;
  test::put(store, values, record("t", cid(0), "", -1, {delta("msgs", DeltaOp::replace, boost::json::array{})}));
  expected[cid(0)] = values;
  for (int i = 1; i <= 40; ++i) {
    std::vector<ChannelDelta> ds;
    ds.push_back(delta("msgs", DeltaOp::merge_messages, boost::json::array{test::message(i)}));
    if (i % 3 == 0) {
      const boost::json::value removed_id = test::message(i - 1).at("id");
      ds.push_back(delta("msgs", DeltaOp::merge_messages,
                         boost::json::array{boost::json::object{{"type", "remove"}, {"id", removed_id}}}));
    }
    if (i % 4 == 0) {  // an edit of an earlier message keeps its place
      boost::json::object edited = test::message(i - 2).as_object();
      edited["content"] = "edited at " + std::to_string(i);
      ds.push_back(delta("msgs", DeltaOp::merge_messages, boost::json::array{edited}));
    }
    ds.push_back(delta("log", DeltaOp::append, boost::json::array{i}));
    ds.push_back(delta("cfg", DeltaOp::merge_object, boost::json::object{{"k" + std::to_string(i % 4), i}}));
    if (i % 5 == 0) ds.push_back(delta("tmp", DeltaOp::replace, i));
    if (i % 5 == 1 && i > 1) ds.push_back(delta("tmp", DeltaOp::remove));
    test::put(store, values, record("t", cid(i), cid(i - 1), i - 1, ds));
    expected[cid(i)] = values;
  }
  for (const auto& [id, want] : expected) {
    auto got = store.get("t", "", id);
    REQUIRE(got);
    CHECK_MESSAGE(got->values == want, id);
  }
  // The snapshot policy is in effect: some rows are snapshots, most are deltas only.
  const auto snapshots = scalar(dir.file("a.db"), "SELECT count(*) FROM checkpoints WHERE snapshot IS NOT NULL");
  CHECK(snapshots >= 2);
  CHECK(snapshots <= 41 / 3);
}

TEST_CASE("unchanged channels are not rewritten: a delta row holds only what the step changed") {
  test::TempDir dir;
  SqliteStore store(dir.file("a.db"));
  boost::json::object values;
  test::put(store, values,
            record("t", cid(0), "", -1,
                   {delta("big", DeltaOp::replace, boost::json::string(std::string(10000, 'x'))),
                    delta("n", DeltaOp::replace, 0)}));
  for (int i = 1; i <= 10; ++i)
    test::put(store, values, record("t", cid(i), cid(i - 1), i - 1, {delta("n", DeltaOp::replace, i)}));
  CHECK(scalar(dir.file("a.db"), "SELECT max(length(deltas)) FROM checkpoints WHERE checkpoint_id > 'cp-00000000'") <
        40);
  CHECK(scalar(dir.file("a.db"), "SELECT count(*) FROM checkpoints WHERE snapshot IS NOT NULL") == 1);
  auto got = store.get("t", "");
  REQUIRE(got);
  CHECK(got->values.at("big").as_string().size() == 10000);
  CHECK(got->values.at("n") == 10);
}

TEST_CASE("list returns the history newest first with values and pending writes, honouring limit and before") {
  test::TempDir dir;
  SqliteOptions options;
  options.snapshot_min_steps = 4;
  options.snapshot_max_steps = 4;
  options.keep_consumed_writes = true;
  SqliteStore store(dir.file("a.db"), options);
  boost::json::object values;
  std::map<std::string, boost::json::object> expected;
  test::put(store, values, record("t", cid(0), "", -1, {delta("n", DeltaOp::replace, 0)}));
  expected[cid(0)] = values;
  for (int i = 1; i <= 20; ++i) {
    store.put_writes(task_writes("t", cid(i - 1), "task", i), Durability::sync);
    test::put(store, values,
              record("t", cid(i), cid(i - 1), i - 1,
                     {delta("n", DeltaOp::replace, i), delta("log", DeltaOp::append, boost::json::array{i})}));
    expected[cid(i)] = values;
  }
  auto all = store.list("t", "");
  REQUIRE(all.size() == 21);
  for (std::size_t k = 0; k < all.size(); ++k) {
    const int n = 20 - static_cast<int>(k);
    CHECK(all[k].record.id == cid(n));
    CHECK(all[k].values == expected[cid(n)]);
    CHECK(all[k].record.metadata.at("step") == n - 1);
    if (n < 20) {
      REQUIRE(all[k].pending_writes.size() == 1);
      CHECK(all[k].pending_writes[0].writes[0].value == n + 1);
    } else {
      CHECK(all[k].pending_writes.empty());
    }
  }

  ListOptions window;
  window.limit = 3;
  window.before_id = cid(15);
  auto some = store.list("t", "", window);
  REQUIRE(some.size() == 3);
  CHECK(some[0].record.id == cid(14));
  CHECK(some[2].record.id == cid(12));
  for (auto& tuple : some) CHECK(tuple.values == expected[tuple.record.id]);
  CHECK(some[1].pending_writes.size() == 1);

  ListOptions bare;
  bare.with_values = false;
  bare.limit = 2;
  auto ids = store.list("t", "", bare);
  REQUIRE(ids.size() == 2);
  CHECK(ids[0].record.id == cid(20));
  CHECK(ids[0].values.empty());
  CHECK(store.list("other", "").empty());
}

TEST_CASE("a fork from an old checkpoint starts a branch and leaves the old history intact") {
  test::TempDir dir;
  SqliteOptions options;
  options.snapshot_min_steps = 2;
  options.snapshot_max_steps = 3;
  SqliteStore store(dir.file("a.db"), options);
  boost::json::object values;
  test::put(store, values, record("t", cid(0), "", -1, {delta("log", DeltaOp::append, boost::json::array{0})}));
  std::map<std::string, boost::json::object> expected;
  for (int i = 1; i <= 10; ++i) {
    test::put(store, values,
              record("t", cid(i), cid(i - 1), i - 1, {delta("log", DeltaOp::append, boost::json::array{i})}));
    expected[cid(i)] = values;
  }
  // Branch from checkpoint 4: the fork checkpoint has no deltas, then two steps on the branch.
  boost::json::object branch = expected[cid(4)];
  auto fork = record("t", cid(11), cid(4), 4, {});
  fork.source = CheckpointSource::fork;
  test::put(store, branch, fork);
  test::put(store, branch, record("t", cid(12), cid(11), 5, {delta("log", DeltaOp::append, boost::json::array{"b"})}));
  test::put(store, branch, record("t", cid(13), cid(12), 6, {delta("log", DeltaOp::append, boost::json::array{"c"})}));

  auto latest = store.get("t", "");
  REQUIRE(latest);
  CHECK(latest->record.id == cid(13));
  CHECK(latest->values.at("log") == boost::json::parse(R"([0,1,2,3,4,"b","c"])"));
  auto fork_read = store.get("t", "", cid(11));
  REQUIRE(fork_read);
  CHECK(fork_read->record.source == CheckpointSource::fork);
  CHECK(fork_read->record.parent_id == cid(4));
  for (int i = 1; i <= 10; ++i) CHECK(store.get("t", "", cid(i))->values == expected[cid(i)]);
  auto history = store.list("t", "");
  CHECK(history.size() == 14);
  CHECK(history[3].values == expected[cid(10)]);  // the old head, still foldable
}

TEST_CASE("a checkpoint whose parent was never stored is written as a full snapshot") {
  test::TempDir dir;
  SqliteStore store(dir.file("a.db"));
  boost::json::object values{{"log", boost::json::array{1, 2, 3}}};
  // As with exit durability: only the last checkpoint of a run is written.
  auto r = record("t", cid(9), cid(8), 8, {delta("log", DeltaOp::append, boost::json::array{3})});
  store.put_checkpoint(r, values, Durability::exit);
  auto got = store.get("t", "");
  REQUIRE(got);
  CHECK(got->values == values);
  CHECK(scalar(dir.file("a.db"), "SELECT count(*) FROM checkpoints WHERE snapshot IS NOT NULL") == 1);
}

TEST_CASE("a loop checkpoint consumes its parent's ordinary writes and keeps error and interrupt writes") {
  test::TempDir dir;
  SqliteStore store(dir.file("a.db"));
  boost::json::object values;
  test::put(store, values, record("t", cid(0), "", -1, {}));
  store.put_writes(task_writes("t", cid(0), "ok-task", 1), Durability::sync);
  store.put_writes(
      TaskWrites{"t", "", cid(0), "asking", "n", {ChannelWrite{std::string(kInterruptChannel), "approve?"}}},
      Durability::sync);
  store.put_writes(TaskWrites{"t", "", cid(0), "failing", "n", {ChannelWrite{std::string(kErrorChannel), "boom"}}},
                   Durability::sync);
  CHECK(store.get("t", "")->pending_writes.size() == 3);
  // An update checkpoint (update_state) does not consume them...
  auto update = record("t", cid(1), cid(0), 0, {delta("n", DeltaOp::replace, 1)});
  update.source = CheckpointSource::update;
  test::put(store, values, update);
  CHECK(store.get("t", "", cid(0))->pending_writes.size() == 3);
  // ...a loop checkpoint on the same parent does.
  test::put(store, values, record("t", cid(2), cid(0), 0, {delta("n", DeltaOp::replace, 2)}));
  auto consumed = store.get("t", "", cid(0));
  REQUIRE(consumed->pending_writes.size() == 2);
  CHECK(consumed->pending_writes[0].task_id == "asking");
  CHECK(consumed->pending_writes[1].task_id == "failing");
}

TEST_CASE("a reopened store reads what an earlier instance wrote and continues its chains") {
  test::TempDir dir;
  boost::json::object values;
  SqliteOptions no_periodic;
  no_periodic.snapshot_min_steps = 64;
  {
    SqliteStore store(dir.file("a.db"), no_periodic);
    test::put(store, values, record("t", cid(0), "", -1, {delta("log", DeltaOp::append, boost::json::array{0})}));
    for (int i = 1; i <= 5; ++i)
      test::put(store, values,
                record("t", cid(i), cid(i - 1), i - 1, {delta("log", DeltaOp::append, boost::json::array{i})}));
  }
  SqliteStore again(dir.file("a.db"), no_periodic);
  CHECK(again.get("t", "")->values == values);
  test::put(again, values, record("t", cid(6), cid(5), 5, {delta("log", DeltaOp::append, boost::json::array{6})}));
  CHECK(again.get("t", "")->values == values);
  // The continuation is a delta row (its parent's chain was found in the database).
  CHECK(scalar(dir.file("a.db"), "SELECT count(*) FROM checkpoints WHERE snapshot IS NOT NULL") == 1);
}

TEST_CASE("metadata and next repeated from the parent are stored once and read back in full everywhere") {
  test::TempDir dir;
  const std::string path = dir.file("a.db");
  SqliteOptions options;
  options.snapshot_min_steps = 5;
  options.snapshot_max_steps = 5;
  SqliteStore store(path, options);
  boost::json::object values;
  const boost::json::object meta{{"run_id", "r-1"}, {"graph", "g"}};
  const boost::json::object next{{"pull", boost::json::array{"step"}}};
  for (int i = 0; i <= 12; ++i) {
    auto r = record("t", cid(i), i ? cid(i - 1) : "", i - 1, {delta("n", DeltaOp::replace, i)});
    r.metadata = meta;
    r.next = i == 7 ? boost::json::object{{"pull", boost::json::array{"other"}}} : next;
    test::put(store, values, r);
  }
  CHECK(scalar(path, "SELECT count(*) FROM checkpoints WHERE metadata = '='") >= 8);
  CHECK(scalar(path, "SELECT count(*) FROM checkpoints WHERE next = '='") >= 6);
  CHECK(scalar(path,
               "SELECT count(*) FROM checkpoints WHERE snapshot IS NOT NULL AND (metadata = '=' OR next = '=')") == 0);
  for (int i = 0; i <= 12; ++i) {
    auto got = store.get("t", "", cid(i));
    REQUIRE(got);
    CHECK(got->record.metadata == meta);
    CHECK(got->record.next == (i == 7 ? boost::json::object{{"pull", boost::json::array{"other"}}} : next));
  }
  ListOptions bare;
  bare.limit = 2;
  bare.with_values = false;
  for (auto& tuple : store.list("t", "", bare)) CHECK(tuple.record.metadata == meta);
  for (auto& tuple : store.list("t", "")) CHECK(tuple.record.metadata == meta);
  // A store opened later continues the chain from the database (marker-aware).
  SqliteStore again(path, options);
  auto r = record("t", cid(13), cid(12), 12, {delta("n", DeltaOp::replace, 13)});
  r.metadata = meta;
  r.next = next;
  test::put(again, values, r);
  CHECK(again.get("t", "")->record.metadata == meta);
  CHECK(store::check(path).ok());
}
