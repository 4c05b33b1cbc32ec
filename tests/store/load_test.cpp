// SPDX-License-Identifier: MIT
// Loading a checkpoint reads its chain by one descending scan of the thread's rows; rows of other
// branches interleaved with the chain are skipped, and past a bound the chain is walked by parent
// links instead. Either way the values must be exactly the engine's.
#include "store/sqlite_store.hpp"

#include "fixtures.hpp"

#include <doctest/doctest.h>

#include <map>

using namespace weft;
using test::cid;
using test::delta;
using test::record;

namespace {

boost::json::value item(const std::string& branch, int i) { return boost::json::value(branch + std::to_string(i)); }

}  // namespace

TEST_CASE("a load folds its own branch when other branches' rows interleave with its chain") {
  test::TempDir dir;
  SqliteOptions options;
  options.snapshot_max_steps = 1024;  // long chains: the scan crosses every interleaved row
  options.snapshot_bytes_ratio = 1000;
  SqliteStore store(dir.file("a.db"), options);
  boost::json::object a;
  test::put(store, a, record("t", cid(0), "", -1, {delta("log", DeltaOp::append, boost::json::array{0})}));
  boost::json::object b = a;
  // Two branches from checkpoint 0 written alternately: ids 1, 3, 5... on a, 2, 4, 6... on b.
  std::map<std::string, boost::json::object> expected;
  std::string head_a = cid(0), head_b = cid(0);
  for (int i = 1; i <= 40; ++i) {
    const bool on_a = i % 2 == 1;
    boost::json::object& values = on_a ? a : b;
    std::string& head = on_a ? head_a : head_b;
    auto r =
        record("t", cid(i), head, i, {delta("log", DeltaOp::append, boost::json::array{item(on_a ? "a" : "b", i)})});
    test::put(store, values, r);
    head = cid(i);
    expected[cid(i)] = values;
  }
  for (const auto& [id, values] : expected) {
    auto got = store.get("t", "", id);
    REQUIRE(got);
    CHECK(got->record.id == id);
    CHECK(got->values == values);
  }
  auto latest = store.get("t", "");
  REQUIRE(latest);
  CHECK(latest->record.id == cid(40));
  CHECK(latest->values == b);
}

TEST_CASE("a load whose chain is separated from its head by a long other branch walks the parent links") {
  test::TempDir dir;
  SqliteOptions options;
  options.snapshot_max_steps = 1024;
  options.snapshot_bytes_ratio = 1000;
  SqliteStore store(dir.file("a.db"), options);
  boost::json::object main;
  test::put(store, main, record("t", cid(0), "", -1, {delta("log", DeltaOp::append, boost::json::array{0})}));
  for (int i = 1; i <= 5; ++i)
    test::put(store, main, record("t", cid(i), cid(i - 1), i, {delta("log", DeltaOp::append, boost::json::array{i})}));
  // A 200-row branch from checkpoint 2, then the main chain goes on from 5: between the main head
  // (id 206) and its parent (id 5) lie 200 rows of the other branch.
  boost::json::object side = boost::json::object{{"log", boost::json::array{0, 1, 2}}};
  std::string parent = cid(2);
  for (int i = 6; i <= 205; ++i) {
    test::put(store, side,
              record("t", cid(i), parent, i, {delta("log", DeltaOp::append, boost::json::array{item("s", i)})}));
    parent = cid(i);
  }
  test::put(store, main, record("t", cid(206), cid(5), 6, {delta("log", DeltaOp::append, boost::json::array{"m"})}));
  auto latest = store.get("t", "");
  REQUIRE(latest);
  CHECK(latest->record.id == cid(206));
  CHECK(latest->record.parent_id == cid(5));
  CHECK(latest->values == main);
  CHECK(latest->values.at("log") == boost::json::parse(R"([0,1,2,3,4,5,"m"])"));
  auto side_head = store.get("t", "", cid(205));
  REQUIRE(side_head);
  CHECK(side_head->values == side);
}

TEST_CASE("a load whose parent row is missing reports the broken chain instead of skipping past it") {
  test::TempDir dir;
  SqliteOptions options;
  options.snapshot_max_steps = 1024;
  options.snapshot_bytes_ratio = 1000;
  const std::string path = dir.file("a.db");
  {
    SqliteStore store(path, options);
    boost::json::object values;
    test::put(store, values, record("t", cid(0), "", -1, {delta("log", DeltaOp::append, boost::json::array{0})}));
    for (int i = 1; i <= 6; ++i)
      test::put(store, values,
                record("t", cid(i), cid(i - 1), i, {delta("log", DeltaOp::append, boost::json::array{i})}));
  }
  test::raw_sql(path, "DELETE FROM checkpoints WHERE checkpoint_id = '" + cid(3) + "'");
  SqliteStore store(path, options);
  try {
    (void)store.get("t", "");
    FAIL("a chain with a missing parent loaded");
  } catch (const Error& e) {
    CHECK(e.code() == store::error::bad_record);
    CHECK(std::string(e.what()).find("parent checkpoint '" + cid(3) + "' is missing") != std::string::npos);
  }
  auto before_gap = store.get("t", "", cid(2));
  REQUIRE(before_gap);
  CHECK(before_gap->values.at("log") == boost::json::parse("[0,1,2]"));
}

TEST_CASE(
    "a checkpoint loaded again from an unchanged file is reused from its second load on, every caller owns its state, "
    "and any commit makes the next load read the file") {
  test::TempDir dir;
  const std::string path = dir.file("a.db");
  SqliteStore store(path);
  boost::json::object values;
  test::put(store, values, record("t", cid(0), "", -1, {delta("log", DeltaOp::append, boost::json::array{0})}));
  for (int i = 1; i <= 6; ++i)
    test::put(store, values,
              record("t", cid(i), cid(i - 1), i, {delta("log", DeltaOp::append, boost::json::array{i})}));
  const SqliteStore::ProcessStats before = SqliteStore::process_stats();
  struct Loads {
    std::uint64_t decoded, reused;
  };
  auto loads = [&] {
    const auto now = SqliteStore::process_stats();
    return Loads{now.decoded - before.decoded, now.reused - before.reused};
  };

  // The first load hands out what it decoded and keeps no copy; the second decodes again and
  // keeps one; later ones copy it.
  auto first = store.get("t", "");
  REQUIRE(first);
  CHECK(loads().decoded == 1);
  CHECK(loads().reused == 0);
  auto second = store.get("t", "", cid(6));
  auto third = store.get("t", "");
  REQUIRE(second);
  REQUIRE(third);
  CHECK(loads().decoded == 2);
  CHECK(loads().reused == 1);
  CHECK(first->values == values);
  CHECK(second->values == values);
  CHECK(third->values == values);
  CHECK(third->record.metadata == first->record.metadata);
  // What a caller does to its state reaches no other caller, nor the kept copy.
  first->values.erase("log");
  second->values.at("log").as_array().push_back(99);
  third->values["log"] = "replaced";
  auto fourth = store.get("t", "");
  REQUIRE(fourth);
  CHECK(loads().reused == 2);
  CHECK(fourth->values == values);
  CHECK(second->values.at("log").as_array().size() == 8);
  CHECK(store.get("t", "", cid(5))->values.at("log").as_array().size() == 6);  // another id: read
  CHECK(loads().decoded == 3);

  SUBCASE("this store's own write") {
    (void)store.get("t", "");
    store.put_writes(TaskWrites{"t", "", cid(6), "task-7", "node", {ChannelWrite{"log", boost::json::array{7}}}},
                     Durability::sync);
    auto after = store.get("t", "");
    REQUIRE(after);
    CHECK(loads().decoded == 5);
    REQUIRE(after->pending_writes.size() == 1);
    CHECK(after->pending_writes[0].task_id == "task-7");
  }
  SUBCASE("another connection's commit") {
    (void)store.get("t", "");
    // Rewritten behind the store's back: the same id now holds another state.
    test::raw_sql(
        path,
        "UPDATE checkpoints SET deltas = '[[\"log\",\"append\",[\"other\"]]]', snapshot = CASE WHEN snapshot IS NULL "
        "THEN NULL ELSE '{\"log\":[\"other\"]}' END WHERE checkpoint_id = '" +
            cid(6) + "'");
    auto after = store.get("t", "");
    REQUIRE(after);
    CHECK(loads().decoded == 5);
    CHECK(after->values.at("log").as_array().back() == "other");
  }
}

TEST_CASE("reading through a memory map is opt-in and loads the same values; a negative size is refused") {
  test::TempDir dir;
  const std::string path = dir.file("a.db");
  boost::json::object values;
  {
    SqliteStore store(path);
    CHECK(store.read_pragma("mmap_size") == "0");
    test::put(store, values, record("t", cid(0), "", -1, {delta("log", DeltaOp::append, boost::json::array{0})}));
    for (int i = 1; i <= 30; ++i)
      test::put(store, values,
                record("t", cid(i), cid(i - 1), i, {delta("log", DeltaOp::append, boost::json::array{i})}));
    store.checkpoint_wal();
  }
  SqliteOptions mapped;
  mapped.mmap_size_bytes = 1 << 20;
  SqliteStore store(path, mapped);
  CHECK(store.read_pragma("mmap_size") == std::to_string(1 << 20));
  auto got = store.get("t", "");
  REQUIRE(got);
  CHECK(got->record.id == cid(30));
  CHECK(got->values == values);

  SqliteOptions negative;
  negative.mmap_size_bytes = -1;
  try {
    SqliteStore bad(path, negative);
    FAIL("a negative mmap_size_bytes was accepted");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("mmap_size_bytes") != std::string::npos);
  }
}

TEST_CASE("a loaded state lives on after its store, and copies and moves of it are plain values") {
  test::TempDir dir;
  const std::string path = dir.file("a.db");
  boost::json::object values;
  std::optional<CheckpointTuple> got;
  {
    SqliteStore store(path);
    test::put(store, values, record("t", cid(0), "", -1, {delta("log", DeltaOp::append, boost::json::array{"a"})}));
    for (int i = 1; i <= 40; ++i)
      test::put(
          store, values,
          record("t", cid(i), cid(i - 1), i,
                 {delta("log", DeltaOp::append, boost::json::array{std::string(100, 'x') + std::to_string(i)}),
                  delta("last", DeltaOp::replace, boost::json::value(std::string(50, 'y') + std::to_string(i)))}));
    got = store.get("t", "");
  }
  REQUIRE(got);
  CHECK(got->values == values);
  boost::json::object copy = got->values;  // same storage as the loaded state
  boost::json::object on_heap(got->values, boost::json::storage_ptr());
  boost::json::object moved;
  moved = std::move(got->values);  // into another storage: a copy
  got.reset();                     // the loaded state and the rows it was decoded from are gone
  CHECK(copy == values);
  CHECK(on_heap == values);
  CHECK(moved == values);
  copy["log"].as_array().emplace_back("more");
  CHECK(copy.at("log").as_array().size() == 42);
  CHECK(moved.at("log").as_array().size() == 41);
}
