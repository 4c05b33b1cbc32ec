// SPDX-License-Identifier: MIT
// Schema versions against the test cluster: a new database is created at the current version,
// a second open migrates nothing, another application's database and a newer schema are refused
// with nothing written, and a component registered beside the store gets its own version line.
#include "store/error.hpp"
#include "store/postgres/detail/schema.hpp"
#include "tests/support/postgres.hpp"

#include <doctest/doctest.h>

#include <thread>
#include <vector>

using namespace weft;
using namespace weft::store::postgres::detail;

TEST_CASE("a new database gets the store schema at the current version, once, even when opened concurrently") {
  test::TestDatabase db;
  std::vector<std::thread> openers;
  std::vector<std::string> errors(4);
  for (int i = 0; i < 4; ++i) {
    openers.emplace_back([&, i] {
      try {
        Connection c(db.url());
        ensure_component(c, store_schema());
      } catch (const std::exception& e) {
        errors[i] = e.what();
      }
    });
  }
  for (auto& t : openers) t.join();
  for (const auto& e : errors) CHECK(e == "");
  auto rows = db.sql("SELECT component, version FROM weft_schema ORDER BY version");
  REQUIRE(rows.rows() == store_schema().version());
  CHECK(rows.text(0, 0) == "store");
  Connection c(db.url());
  CHECK(read_component_version(c, "store") == store_schema().version());
  CHECK(db.sql("SELECT 1 FROM weft_checkpoints").rows() == 0);
}

TEST_CASE("a database of another application is refused and left untouched") {
  test::TestDatabase db;
  db.sql("CREATE TABLE customers (id int)");
  Connection c(db.url());
  try {
    ensure_component(c, store_schema());
    FAIL("migrated someone else's database");
  } catch (const Error& e) {
    CHECK(e.code() == store::error::not_a_weft_store);
    CHECK(std::string(e.what()).find("another application") != std::string::npos);
  }
  CHECK(db.sql("SELECT 1 FROM pg_tables WHERE tablename LIKE 'weft%'").rows() == 0);
}

TEST_CASE("a newer schema version is refused before anything is written") {
  test::TestDatabase db;
  {
    Connection c(db.url());
    ensure_component(c, store_schema());
  }
  const int newer = store_schema().version() + 1;
  db.sql("INSERT INTO weft_schema VALUES ('store', " + std::to_string(newer) + ", 0, 'from the future')");
  Connection c(db.url());
  try {
    ensure_component(c, store_schema());
    FAIL("opened a newer schema");
  } catch (const Error& e) {
    CHECK(e.code() == store::error::schema_too_new);
    CHECK(std::string(e.what()).find("version " + std::to_string(newer)) != std::string::npos);
  }
  CHECK(db.sql("SELECT count(*) FROM weft_schema").int64(0, 0) == store_schema().version() + 1);
}

namespace {
constexpr Migration kProbeMigrations[] = {
    {1, "probe table", "CREATE TABLE weft_probe (id BIGINT PRIMARY KEY)"},
    {2, "probe column", "ALTER TABLE weft_probe ADD COLUMN label TEXT NOT NULL DEFAULT ''"},
};
}  // namespace

TEST_CASE("another component registers its own migrations beside the store's, applied in order") {
  test::TestDatabase db;
  Connection c(db.url());
  ensure_component(c, store_schema());
  SchemaComponent first{"probe", std::span(kProbeMigrations).first(1)};
  ensure_component(c, first);
  CHECK(read_component_version(c, "probe") == 1);
  SchemaComponent both{"probe", kProbeMigrations};
  ensure_component(c, both);
  CHECK(read_component_version(c, "probe") == 2);
  CHECK(read_component_version(c, "store") == store_schema().version());
  c.exec("INSERT INTO weft_probe (id, label) VALUES (1, 'x')");
  SUBCASE("a read-only open of an outdated component fails instead of migrating") {
    constexpr Migration more[] = {kProbeMigrations[0], kProbeMigrations[1], {3, "more", "SELECT 1"}};
    try {
      ensure_component(c, SchemaComponent{"probe", more}, /*read_only=*/true);
      FAIL("a read-only open migrated");
    } catch (const Error& e) {
      CHECK(e.code() == store::error::open_failed);
    }
    CHECK(read_component_version(c, "probe") == 2);
  }
}
