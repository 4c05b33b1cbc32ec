// SPDX-License-Identifier: MIT
// Damaged files give clear errors (never a crash), and check() pinpoints problems.
#include "store/check.hpp"
#include "store/sqlite_store.hpp"

#include "fixtures.hpp"
#include "store/error.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

using namespace weft;
using test::cid;
using test::delta;
using test::record;

namespace {

/// A store with one thread of `steps` checkpoints (snapshot every 8), closed and WAL-checkpointed.
void make_store(const std::string& path, int steps = 30) {
  SqliteOptions options;
  options.snapshot_min_steps = 8;
  options.snapshot_max_steps = 8;
  SqliteStore store(path, options);
  boost::json::object values;
  test::put(store, values, record("t", cid(0), "", -1, {delta("log", DeltaOp::append, boost::json::array{0})}));
  for (int i = 1; i <= steps; ++i) {
    test::put(
        store, values,
        record("t", cid(i), cid(i - 1), i - 1, {delta("log", DeltaOp::append, boost::json::array{test::message(i)})}));
  }
  store.put_writes(TaskWrites{"t", "", cid(steps), "task", "n", {ChannelWrite{"log", 1}}}, Durability::sync);
  store.finish("t", "k", "ok");
  store.checkpoint_wal();
}

std::string open_error(const std::string& path, store::error expected) {
  try {
    SqliteStore store(path);
    (void)store.get("t", "");
    (void)store.list("t", "");
  } catch (const Error& e) {
    CHECK_MESSAGE(e.code() == make_error_code(expected), e.what());
    return e.what();
  }
  FAIL("no error for a damaged file");
  return {};
}

bool mentions(const store::CheckReport& report, const std::string& text) {
  for (const auto& p : report.problems) {
    if (p.where.find(text) != std::string::npos || p.what.find(text) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("a sound store passes check with its counts") {
  test::TempDir dir;
  make_store(dir.file("a.db"));
  auto report = store::check(dir.file("a.db"));
  CHECK_MESSAGE(report.ok(), store::format(report));
  CHECK(report.schema_version == 3);
  CHECK(report.threads == 1);
  CHECK(report.checkpoints == 31);
  CHECK(report.snapshots == 4);  // the first, then every 8 deltas
  CHECK(report.writes == 1);
  CHECK(report.effects == 1);
  CHECK(store::format(report).find("ok") != std::string::npos);
}

TEST_CASE("a file that is not an SQLite database gives not_a_database") {
  test::TempDir dir;
  std::ofstream(dir.file("x.db")) << "this is a text file, not a database\n";
  const std::string what = open_error(dir.file("x.db"), store::error::not_a_database);
  CHECK(what.find(dir.file("x.db")) != std::string::npos);
  auto report = store::check(dir.file("x.db"));
  CHECK_FALSE(report.ok());
  CHECK(mentions(report, "not a Weft database"));
}

TEST_CASE("a truncated file gives a clear corrupt error and check reports it") {
  test::TempDir dir;
  const std::string path = dir.file("a.db");
  make_store(path, 200);
  const auto size = std::filesystem::file_size(path);
  REQUIRE(size > 8192);
  std::filesystem::resize_file(path, size / 2);
  const std::string what = open_error(path, store::error::corrupt);
  CHECK(what.find("truncated") != std::string::npos);
  auto report = store::check(path);
  CHECK(mentions(report, "truncated"));

  std::filesystem::resize_file(path, 60);  // shorter than the header itself
  CHECK(open_error(path, store::error::corrupt).find("truncated") != std::string::npos);
}

TEST_CASE("pages overwritten with garbage give corrupt or bad_record, never a crash, and check reports it") {
  test::TempDir dir;
  const std::string path = dir.file("a.db");
  make_store(path, 200);
  const auto size = std::filesystem::file_size(path);
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(4096 * 2));  // inside the b-trees, past the header page
    std::string garbage(static_cast<std::size_t>(std::min<std::uintmax_t>(size - 8192, 4096 * 6)), '\x5a');
    f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  try {
    SqliteStore store(path);
    (void)store.list("t", "");
    (void)store.threads();
    (void)store.find("t", "k");
  } catch (const Error& e) {
    CHECK((e.code() == store::error::corrupt || e.code() == store::error::bad_record ||
           e.code() == store::error::not_a_weft_store));
    CHECK_MESSAGE(std::string(e.what()).find(path) != std::string::npos, e.what());
  }
  CHECK_FALSE(store::check(path).ok());
}

TEST_CASE("a database written by a newer schema version is refused with schema_too_new") {
  test::TempDir dir;
  const std::string path = dir.file("a.db");
  make_store(path);
  test::raw_sql(path, "INSERT INTO weft_schema VALUES (99, 0, 'from the future')");
  const std::string what = open_error(path, store::error::schema_too_new);
  CHECK(what.find("schema version 99") != std::string::npos);
  CHECK(what.find("up to 3") != std::string::npos);
  CHECK(mentions(store::check(path), "schema version 99"));
}

TEST_CASE("an SQLite database of another application is refused with not_a_weft_store") {
  test::TempDir dir;
  const std::string path = dir.file("other.db");
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec("CREATE TABLE customers (id INTEGER PRIMARY KEY)");
  }
  CHECK(open_error(path, store::error::not_a_weft_store).find("not a Weft store") != std::string::npos);
}

TEST_CASE("a row with undecodable JSON gives bad_record naming the thread, row and column") {
  test::TempDir dir;
  const std::string path = dir.file("a.db");
  make_store(path);
  test::raw_sql(path,
                "UPDATE checkpoints SET deltas = '[[\"log\",\"append\",[1,' WHERE checkpoint_id = '" + cid(29) + "'");
  SqliteStore store(path);
  try {
    (void)store.get("t", "");
    FAIL("bad JSON loaded");
  } catch (const Error& e) {
    CHECK(e.code() == store::error::bad_record);
    const std::string what = e.what();
    CHECK(what.find("thread 't'") != std::string::npos);
    CHECK(what.find(cid(29)) != std::string::npos);
    CHECK(what.find("column 'deltas'") != std::string::npos);
    CHECK(what.find("bad JSON at byte") != std::string::npos);
    CHECK(what.find("weft check") != std::string::npos);
  }
  // Checkpoints whose chain does not pass through the damaged row still load.
  CHECK(store.get("t", "", cid(20)));
  auto report = store::check(path);
  CHECK(report.problems.size() == 1);
  CHECK(mentions(report, cid(29)));
}

TEST_CASE("a delta that does not fold, a missing parent and an orphan write are each reported by check") {
  test::TempDir dir;
  const std::string path = dir.file("a.db");
  make_store(path);
  test::raw_sql(path,
                "UPDATE checkpoints SET deltas = '[[\"log\",\"merge_object\",{\"a\":1}]]' WHERE checkpoint_id = '" +
                    cid(3) + "'");
  test::raw_sql(path, "DELETE FROM checkpoints WHERE checkpoint_id = '" + cid(10) + "'");
  test::raw_sql(path, "INSERT INTO writes VALUES ('t', '', 'cp-nowhere', 'task', 'n', '[]', 0, 0)");
  test::raw_sql(path, "UPDATE threads SET status = 'sleeping'");
  auto report = store::check(path);
  CHECK(mentions(report, "cannot apply merge_object"));
  CHECK(mentions(report, "parent '" + cid(10) + "' is missing"));
  CHECK(mentions(report, "not stored"));
  CHECK(mentions(report, "unknown status 'sleeping'"));
  SqliteStore store(path);
  try {
    (void)store.get("t", "", cid(3));
    FAIL("unfoldable delta loaded");
  } catch (const Error& e) {
    CHECK(e.code() == store::error::bad_record);
    CHECK(std::string(e.what()).find("cannot apply merge_object") != std::string::npos);
  }
  try {
    (void)store.get("t", "", cid(11));
    FAIL("a broken chain loaded");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("parent checkpoint '" + cid(10) + "' is missing") != std::string::npos);
  }
}

TEST_CASE("check reports a missing file and an empty database") {
  test::TempDir dir;
  CHECK(mentions(store::check(dir.file("none.db")), "does not exist"));
  std::ofstream(dir.file("empty.db")).close();
  CHECK(mentions(store::check(dir.file("empty.db")), "empty"));
}
