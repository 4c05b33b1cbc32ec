// SPDX-License-Identifier: MIT
// The SQLite store as a NodeCache: entries persist across processes (store instances), expire,
// clear, survive a migration from schema 1, and a damaged entry is a clear error.
#include "store/check.hpp"
#include "store/sqlite_store.hpp"

#include "engine/state_graph.hpp"
#include "fixtures.hpp"

#include <doctest/doctest.h>

using namespace weft;

namespace {

std::size_t row_count(const std::string& path, const std::string& table) {
  SQLite::Database db(path);
  SQLite::Statement q(db, "SELECT count(*) FROM " + table);
  q.executeStep();
  return static_cast<std::size_t>(q.getColumn(0).getInt64());
}

}  // namespace

TEST_CASE("node cache entries are found again by another store on the same file, until they expire") {
  test::TempDir dir;
  const std::string path = dir.file("cache.db");
  {
    SqliteStore store(path);
    store.record("g/classify", "k1", boost::json::object{{"update", boost::json::object{{"label", "spam"}}}}, 0);
    store.record("g/classify", "k2", boost::json::object{{"update", 2}}, 1'000);
    store.record("g/other", "k1", boost::json::object{{"update", 3}}, 0);
    store.record("g/classify", "k1", boost::json::object{{"update", boost::json::object{{"label", "sales"}}}}, 0);
  }
  SqliteStore store(path);
  auto hit = store.lookup("g/classify", "k1", 5'000);
  REQUIRE(hit);
  CHECK(hit->at("update").at("label") == "sales");  // recorded again: replaced
  CHECK(store.lookup("g/classify", "k2", 999));
  CHECK_FALSE(store.lookup("g/classify", "k2", 1'000));  // expired, and deleted
  CHECK_FALSE(store.lookup("g/classify", "k3", 0));
  CHECK(row_count(path, "node_cache") == 2);

  store.clear("g/classify");
  CHECK_FALSE(store.lookup("g/classify", "k1", 0));
  CHECK(store.lookup("g/other", "k1", 0));
  store.clear();
  CHECK(row_count(path, "node_cache") == 0);
}

TEST_CASE("a graph's cached node replays across store instances (a new process) on the same file") {
  test::TempDir dir;
  const std::string path = dir.file("graph.db");
  int calls = 0;
  auto build = [&](std::shared_ptr<SqliteStore> store) {
    StateGraph g({{"text", Channel::last_value()}, {"label", Channel::last_value()}}, "triage");
    NodeOptions options;
    options.cache = CachePolicy{};
    g.add_node(
        "classify",
        [&calls](StateView s, NodeContext) {
          ++calls;
          return boost::json::object{
              {"label", s.get_string("text").find("buy") != std::string_view::npos ? "spam" : "ok"}};
        },
        options);
    g.add_edge(std::string(START), "classify");
    CompileOptions compile;
    compile.checkpointer = store;
    compile.cache = store;
    return g.compile(std::move(compile));
  };
  for (int process = 0; process < 2; ++process) {
    auto store = std::make_shared<SqliteStore>(path);
    RunConfig config;
    config.thread_id = "t" + std::to_string(process);
    const RunResult r = build(store).invoke(boost::json::object{{"text", "buy now"}}, config);
    r.check();
    CHECK(r.values.at("label") == "spam");
  }
  CHECK(calls == 1);
}

TEST_CASE("a schema 1 store is migrated to the current schema with its checkpoints intact") {
  test::TempDir dir;
  const std::string path = dir.file("old.db");
  {
    SqliteStore store(path);
    boost::json::object values;
    test::put(store, values, test::record("t", test::cid(0), "", -1, {test::delta("x", DeltaOp::replace, 1)}));
  }
  // Make it what schema 1 wrote.
  test::raw_sql(path,
                "DROP TABLE node_cache; ALTER TABLE effects DROP COLUMN request_digest; "
                "DELETE FROM weft_schema WHERE version >= 2");
  CHECK(store::check(path).schema_version == 1);

  SqliteStore store(path);
  auto latest = store.get("t", "");
  REQUIRE(latest);
  CHECK(latest->values.at("x") == 1);
  store.record("g/n", "k", boost::json::object{{"update", 1}}, 0);
  CHECK(store.lookup("g/n", "k", 0));
  const store::CheckReport report = store::check(path);
  CHECK(report.ok());
  CHECK(report.schema_version == 3);
  CHECK(report.cache_entries == 1);
}

TEST_CASE("a damaged node cache entry is a clear error from lookup and a problem for check") {
  test::TempDir dir;
  const std::string path = dir.file("damaged.db");
  {
    SqliteStore store(path);
    store.record("g/n", "k", boost::json::object{{"update", 1}}, 0);
  }
  test::raw_sql(path, "UPDATE node_cache SET value = '{not json'");
  SqliteStore store(path);
  try {
    (void)store.lookup("g/n", "k", 0);
    FAIL("expected bad_record");
  } catch (const Error& e) {
    CHECK(e.code() == std::error_code(store::error::bad_record));
    CHECK(std::string(e.what()).find("node cache entry 'k' of 'g/n'") != std::string::npos);
  }
  const store::CheckReport report = store::check(path);
  REQUIRE_FALSE(report.ok());
  CHECK(report.problems.at(0).where == "node_cache node 'g/n' key 'k'");
}
