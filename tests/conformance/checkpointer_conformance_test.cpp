// SPDX-License-Identifier: MIT
// The Checkpointer contract (engine/checkpointer.hpp) on every store: records, folded values and
// pending writes read back; latest and unknown; folding across snapshots with every delta kind;
// history with limit and bound; forks; replaced and consumed writes; namespaces; threads; the
// awaitable operations; leases (stores that have them).
#include "store/error.hpp"
#include "tests/conformance/store_kits.hpp"
#include "tests/store/fixtures.hpp"

#include <doctest/doctest.h>

using namespace weft;

namespace {

using test::cid;
using test::delta;

/// test::record with a `next` to read back.
CheckpointRecord record(std::string thread, std::string id, std::string parent, std::int64_t step,
                        std::vector<ChannelDelta> deltas) {
  CheckpointRecord r = test::record(std::move(thread), std::move(id), std::move(parent), step, std::move(deltas));
  r.next = boost::json::object{{"nodes", boost::json::array{"a"}}};
  return r;
}

void put(Checkpointer& store, boost::json::object& values, const CheckpointRecord& r) {
  for (const ChannelDelta& d : r.deltas) apply_delta(values, d);
  store.put_checkpoint(r, values, Durability::sync);
}

TaskWrites writes(std::string thread, std::string checkpoint, std::string task, boost::json::value value,
                  std::string channel = "counter") {
  return TaskWrites{std::move(thread), "",     std::move(checkpoint),
                    std::move(task),   "node", {ChannelWrite{std::move(channel), std::move(value)}}};
}

}  // namespace

TEST_CASE_TEMPLATE("a checkpoint is read back with its record, folded values and pending writes", Kit,
                   WEFT_STORE_KITS) {
  Kit kit;
  Checkpointer& store = kit.checkpointer();
  boost::json::object values;
  put(store, values, record("t", cid(0), "", -1, {delta("x", DeltaOp::replace, 1)}));
  put(store, values, record("t", cid(1), cid(0), 0, {delta("log", DeltaOp::append, boost::json::array{"a", "b"})}));
  store.put_writes(writes("t", cid(1), "task-1", 5), Durability::sync);
  auto got = store.get("t", "");
  REQUIRE(got);
  CHECK(got->record.id == cid(1));
  CHECK(got->record.parent_id == cid(0));
  CHECK(got->record.step == 0);
  CHECK(got->record.source == CheckpointSource::loop);
  CHECK(got->record.metadata.at("graph") == "test_graph");
  CHECK(got->record.next.at("nodes") == boost::json::array{"a"});
  REQUIRE(got->record.deltas.size() == 1);
  CHECK(got->record.deltas[0].channel == "log");
  CHECK(got->values == values);
  REQUIRE(got->pending_writes.size() == 1);
  CHECK(got->pending_writes[0].task_id == "task-1");
  CHECK(got->pending_writes[0].writes[0].value == 5);
}

TEST_CASE_TEMPLATE("get without an id returns the latest checkpoint and nothing for unknown threads or ids", Kit,
                   WEFT_STORE_KITS) {
  Kit kit;
  Checkpointer& store = kit.checkpointer();
  CHECK_FALSE(store.get("nobody", ""));
  boost::json::object values;
  put(store, values, record("t", cid(0), "", -1, {delta("x", DeltaOp::replace, 1)}));
  put(store, values, record("t", cid(1), cid(0), 0, {delta("x", DeltaOp::replace, 2)}));
  CHECK(store.get("t", "")->record.id == cid(1));
  CHECK(store.get("t", "", cid(0))->values.at("x") == 1);
  CHECK_FALSE(store.get("t", "", cid(7)));
  CHECK_FALSE(store.get("t", "other-ns"));
}

TEST_CASE_TEMPLATE("every checkpoint folds to the engine's values across snapshots and all delta kinds", Kit,
                   WEFT_STORE_KITS) {
  Kit kit;
  Checkpointer& store = kit.checkpointer();
  boost::json::object values;
  std::vector<boost::json::object> expected;
  put(store, values, record("t", cid(0), "", -1, {delta("log", DeltaOp::replace, boost::json::array{})}));
  expected.push_back(values);
  for (int i = 1; i < 40; ++i) {
    std::vector<ChannelDelta> deltas{delta("log", DeltaOp::append, boost::json::array{boost::json::value(i)})};
    if (i % 3 == 0)
      deltas.push_back(delta("obj", DeltaOp::merge_object, boost::json::object{{"k" + std::to_string(i), i}}));
    if (i % 5 == 0) deltas.push_back(delta("last", DeltaOp::replace, i));
    if (i % 7 == 0) deltas.push_back(delta("last", DeltaOp::remove));
    put(store, values, record("t", cid(i), cid(i - 1), i - 1, deltas));
    expected.push_back(values);
  }
  for (int i = 0; i < 40; ++i) CHECK(store.get("t", "", cid(i))->values == expected[static_cast<std::size_t>(i)]);
}

TEST_CASE_TEMPLATE("list returns the history newest first with values and pending writes, honouring limit and before",
                   Kit, WEFT_STORE_KITS) {
  Kit kit;
  Checkpointer& store = kit.checkpointer();
  boost::json::object values;
  for (int i = 0; i < 6; ++i) {
    put(store, values, record("t", cid(i), i ? cid(i - 1) : "", i - 1, {delta("n", DeltaOp::replace, i)}));
  }
  store.put_writes(writes("t", cid(5), "pending", 9), Durability::sync);
  auto all = store.list("t", "");
  REQUIRE(all.size() == 6);
  for (int i = 0; i < 6; ++i) {
    CHECK(all[static_cast<std::size_t>(i)].record.id == cid(5 - i));
    CHECK(all[static_cast<std::size_t>(i)].values.at("n") == 5 - i);
  }
  CHECK(all[0].pending_writes.size() == 1);
  auto limited = store.list("t", "", ListOptions{2, "", true});
  REQUIRE(limited.size() == 2);
  CHECK(limited[1].record.id == cid(4));
  auto before = store.list("t", "", ListOptions{std::nullopt, cid(3), true});
  REQUIRE(before.size() == 3);
  CHECK(before[0].record.id == cid(2));
  CHECK(before[0].values.at("n") == 2);
}

TEST_CASE_TEMPLATE("a fork from an old checkpoint starts a branch and leaves the old history intact", Kit,
                   WEFT_STORE_KITS) {
  Kit kit;
  Checkpointer& store = kit.checkpointer();
  boost::json::object values;
  for (int i = 0; i < 5; ++i) {
    put(store, values,
        record("t", cid(i), i ? cid(i - 1) : "", i - 1,
               {delta("n", DeltaOp::append, boost::json::array{boost::json::value(i)})}));
  }
  boost::json::object forked = store.get("t", "", cid(1))->values;
  auto fork = record("t", cid(10), cid(1), 1, {delta("n", DeltaOp::append, boost::json::array{"fork"})});
  fork.source = CheckpointSource::fork;
  put(store, forked, fork);
  CHECK(store.get("t", "")->values.at("n") == boost::json::array{0, 1, "fork"});
  CHECK(store.get("t", "", cid(4))->values.at("n") == boost::json::array{0, 1, 2, 3, 4});
  CHECK(store.get("t", "")->record.source == CheckpointSource::fork);
}

TEST_CASE_TEMPLATE("writes put again for the same task replace the earlier ones", Kit, WEFT_STORE_KITS) {
  Kit kit;
  Checkpointer& store = kit.checkpointer();
  boost::json::object values;
  put(store, values, record("t", cid(0), "", -1, {}));
  store.put_writes(writes("t", cid(0), "task", "boom", std::string(kErrorChannel)), Durability::sync);
  store.put_writes(writes("t", cid(0), "task", 7), Durability::sync);
  auto got = store.get("t", "");
  REQUIRE(got->pending_writes.size() == 1);
  CHECK(got->pending_writes[0].writes[0].channel == "counter");
}

TEST_CASE_TEMPLATE("subgraph namespaces keep separate chains in one thread", Kit, WEFT_STORE_KITS) {
  Kit kit;
  Checkpointer& store = kit.checkpointer();
  boost::json::object root, sub;
  put(store, root, record("t", cid(0), "", -1, {delta("x", DeltaOp::replace, "root")}));
  auto s = record("t", cid(1), "", -1, {delta("x", DeltaOp::replace, "sub")});
  s.ns = "inner:task1";
  put(store, sub, s);
  CHECK(store.get("t", "")->values.at("x") == "root");
  CHECK(store.get("t", "inner:task1")->values.at("x") == "sub");
  CHECK(store.get("t", "")->record.id == cid(0));
  CHECK(store.list("t", "inner:task1").size() == 1);
}

TEST_CASE_TEMPLATE("threads record status, graph and metadata; delete_thread removes everything of one thread", Kit,
                   WEFT_STORE_KITS) {
  Kit kit;
  Checkpointer& store = kit.checkpointer();
  boost::json::object values;
  put(store, values, record("a", cid(0), "", -1, {delta("x", DeltaOp::replace, 1)}));
  put(store, values, record("b", cid(0), "", -1, {delta("x", DeltaOp::replace, 1)}));
  store.set_thread_status("a", ThreadStatus::failed, "test_graph", boost::json::object{{"error", "boom"}});
  auto a = store.thread("a");
  REQUIRE(a);
  CHECK(a->status == ThreadStatus::failed);
  CHECK(a->graph == "test_graph");
  CHECK(a->metadata.at("error") == "boom");
  CHECK(a->latest_checkpoint_id == cid(0));
  CHECK(store.threads().size() == 2);
  CHECK_FALSE(store.thread("nobody"));
  store.delete_thread("a");
  CHECK_FALSE(store.thread("a"));
  CHECK_FALSE(store.get("a", ""));
  CHECK(store.get("b", ""));
  CHECK(store.threads().size() == 1);
}

TEST_CASE_TEMPLATE("the awaitable operations give what the synchronous ones give", Kit, WEFT_STORE_KITS) {
  Kit kit;
  Checkpointer& store = kit.checkpointer();
  boost::json::object values{{"x", 1}};
  test::await(store.async_put_checkpoint(record("t", cid(0), "", -1, {delta("x", DeltaOp::replace, 1)}), &values,
                                         Durability::sync));
  test::await(store.async_put_writes(writes("t", cid(0), "task", 3), Durability::sync));
  test::await(store.async_set_thread_status("t", ThreadStatus::interrupted, "g", {}));
  auto got = test::await(store.async_get("t", "", ""));
  REQUIRE(got);
  CHECK(got->values == values);
  CHECK(got->pending_writes.size() == 1);
  CHECK(test::await(store.async_list("t", "", ListOptions{})).size() == 1);
  CHECK(store.thread("t")->status == ThreadStatus::interrupted);
  auto start = test::await(store.async_start_run("t", ""));
  REQUIRE(start.checkpoint);
  CHECK(start.checkpoint->record.id == cid(0));
  test::await(store.async_flush());
}

TEST_CASE_TEMPLATE("a leased thread cannot be taken by another store until released", Kit, WEFT_STORE_KITS) {
  if constexpr (Kit::leases) {
    Kit kit;
    auto other = kit.another();
    auto lease = kit.store.acquire_lease("t");
    CHECK(kit.store.has_live_run("t"));
    try {
      other->acquire_lease("t");
      FAIL("two stores held one thread");
    } catch (const Error& e) {
      CHECK(e.code() == store::error::thread_busy);
      CHECK(std::string(e.what()).find("thread 't' is being run by pid") != std::string::npos);
    }
    CHECK_THROWS_AS(kit.store.acquire_lease("t"), Error);  // one run per thread, also in one store
    lease.reset();
    CHECK(other->acquire_lease("t"));
  }
}

TEST_CASE_TEMPLATE("a holder whose lease was broken writes nothing more: its next put throws lease_lost", Kit,
                   WEFT_STORE_KITS) {
  if constexpr (Kit::fenced) {
    Kit kit;
    boost::json::object values;
    auto lease = kit.store.acquire_lease("t");
    put(kit.store, values, record("t", cid(0), "", -1, {delta("x", DeltaOp::replace, 1)}));
    auto other = kit.another();
    CHECK(other->break_lease("t"));
    try {
      put(kit.store, values, record("t", cid(1), cid(0), 0, {delta("x", DeltaOp::replace, 2)}));
      FAIL("a holder that lost its lease committed");
    } catch (const Error& e) {
      CHECK(e.code() == store::error::lease_lost);
    }
    CHECK(other->get("t", "")->record.id == cid(0));
    CHECK(other->acquire_lease("t"));
  }
}
