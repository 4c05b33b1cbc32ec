// SPDX-License-Identifier: MIT
// Delta storage keeps a growing message history linear in size.
#include "store/sqlite_store.hpp"

#include "fixtures.hpp"

#include <doctest/doctest.h>

#include <boost/json/serialize.hpp>

#include <filesystem>

using namespace weft;
using test::cid;
using test::delta;
using test::record;

TEST_CASE("1000 appended 200-byte messages take under 1 MiB and load back equal to the in-memory state") {
  test::TempDir dir;
  const std::string path = dir.file("growing.db");
  boost::json::object values;
  REQUIRE(boost::json::serialize(test::message(1)).size() >= 200);
  {
    SqliteStore store(path);
    test::put(
        store, values,
        record("g", cid(0), "", -1,
               {delta("counter", DeltaOp::replace, 0), delta("messages", DeltaOp::replace, boost::json::array{})}));
    for (int i = 1; i <= 1000; ++i) {
      const std::string parent = cid(i - 1);
      store.put_writes(
          TaskWrites{"g",
                     "",
                     parent,
                     "task-" + std::to_string(i),
                     "agent",
                     {ChannelWrite{"counter", i}, ChannelWrite{"messages", boost::json::array{test::message(i)}}}},
          Durability::sync);
      test::put(store, values,
                record("g", cid(i), parent, i - 1,
                       {delta("counter", DeltaOp::replace, i),
                        delta("messages", DeltaOp::append, boost::json::array{test::message(i)})}));
    }
    store.checkpoint_wal();
    const auto bytes = std::filesystem::file_size(path);
    MESSAGE("database after wal_checkpoint(TRUNCATE): " << bytes << " bytes");
    CHECK(bytes < 1024 * 1024);
  }
  SqliteStore fresh(path);
  auto latest = fresh.get("g", "");
  REQUIRE(latest);
  CHECK(latest->values == values);
  CHECK(latest->values.at("messages").as_array().size() == 1000);
}
