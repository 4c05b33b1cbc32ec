// SPDX-License-Identifier: MIT
// What other processes and damaged rows do to readers: a crashed run's thread reads `stale`, a
// forged parent cycle is an error (not an endless walk), a live database is never called
// truncated while another connection checkpoints it, and a read-only open works where the
// directory cannot be written.
#include "store/sqlite_store.hpp"

#include "fixtures.hpp"
#include "store/detail/db.hpp"
#include "store/error.hpp"

#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>

#include <atomic>
#include <cstdio>
#include <functional>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace weft;
using test::cid;
using test::delta;
using test::record;

namespace {

int wait_exit_code(pid_t child) {
  int status = 0;
  if (waitpid(child, &status, 0) != child) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// A thread `t` of `steps` checkpoints, snapshots only at the first.
void make_chain(const std::string& path, int steps) {
  SqliteOptions options;
  options.snapshot_min_steps = 1000;
  options.snapshot_max_steps = 1000;
  SqliteStore store(path, options);
  boost::json::object values;
  test::put(store, values, record("t", cid(0), "", -1, {delta("log", DeltaOp::append, boost::json::array{0})}));
  for (int i = 1; i <= steps; ++i) {
    test::put(store, values,
              record("t", cid(i), cid(i - 1), i - 1, {delta("log", DeltaOp::append, boost::json::array{i})}));
  }
}

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    CHECK_MESSAGE(e.code() == make_error_code(store::error::bad_record), e.what());
    return e.what();
  }
  FAIL("no error");
  return {};
}

}  // namespace

TEST_CASE("a thread whose run died holding its lease has no live run; one with a live owner has") {
  test::TempDir dir;
  const std::string path = dir.file("a.db");
  { SqliteStore init(path); }
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    int code = 1;
    try {
      SqliteStore store(path);
      auto lease = store.acquire_lease("crashed");
      store.set_thread_status("crashed", ThreadStatus::running, "g", {});
      lease.release();  // the process dies mid-run, holding the lease
      code = 0;
    } catch (...) {}
    _exit(code);
  }
  REQUIRE(wait_exit_code(child) == 0);
  SqliteStore store(path);
  auto lease = store.acquire_lease("live");
  CHECK(store.thread("crashed")->status == ThreadStatus::running);  // what the row says
  CHECK_FALSE(store.has_live_run("crashed"));
  CHECK_FALSE(store.has_live_run("never-leased"));
  CHECK(store.has_live_run("live"));
  // A lease of a live process on another host counts until it expires.
  const auto now =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  test::raw_sql(path, "INSERT INTO leases VALUES ('remote', 4242, 'elsewhere.example', '1', 'tok', " +
                          std::to_string(now) + ", " + std::to_string(now) + ", " + std::to_string(now + 600000) + ")");
  test::raw_sql(path, "INSERT INTO leases VALUES ('expired', 4242, 'elsewhere.example', '1', 'tok', " +
                          std::to_string(now - 90000) + ", " + std::to_string(now - 90000) + ", " +
                          std::to_string(now - 60000) + ")");
  CHECK(store.has_live_run("remote"));
  CHECK_FALSE(store.has_live_run("expired"));
  // A read-only store answers too (weft threads opens read-only).
  SqliteOptions read_only;
  read_only.read_only = true;
  SqliteStore reader(path, read_only);
  CHECK_FALSE(reader.has_live_run("crashed"));
  CHECK(reader.has_live_run("live"));
}

TEST_CASE("a forged parent cycle in the checkpoint chain is a clear error, not an endless walk") {
  test::TempDir dir;
  const std::string path = dir.file("a.db");
  make_chain(path, 5);
  // cp-0 loses its snapshot and names cp-5 as its parent: 5 -> 4 -> ... -> 0 -> 5 -> ...
  test::raw_sql(path, "UPDATE checkpoints SET snapshot = NULL, parent_id = '" + cid(5) + "' WHERE checkpoint_id = '" +
                          cid(0) + "'");
  SqliteStore store(path);
  const std::string latest = error_of([&] { (void)store.get("t", ""); });
  CHECK(latest.find("cycle") != std::string::npos);
  CHECK(latest.find(cid(0)) != std::string::npos);
  CHECK(error_of([&] { (void)store.get("t", "", cid(3)); }).find("cycle") != std::string::npos);
  CHECK(error_of([&] { (void)store.list("t", ""); }).find("cycle") != std::string::npos);
  ListOptions limited;
  limited.limit = 2;
  CHECK(error_of([&] { (void)store.list("t", "", limited); }).find("cycle") != std::string::npos);
}

TEST_CASE("readers racing a writer's WAL checkpoints are never told the live database is truncated") {
  test::TempDir dir;
  const std::string path = dir.file("live.db");
  std::atomic<bool> stop{false};
  std::atomic<int> rounds{0};
  std::thread writer([&] {
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, 5000);
    db.exec("PRAGMA auto_vacuum = FULL");  // deleting shrinks the file again: it stays small
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA wal_autocheckpoint = 0");
    db.exec("CREATE TABLE filler (data BLOB)");
    // Each round grows the file by 2 MB through a checkpoint, which rewrites page 1 (declaring
    // the new size) before the pages that extend the file, then shrinks it back.
    for (int round = 0; round < 60 && !stop; ++round) {
      db.exec("INSERT INTO filler VALUES (zeroblob(2097152))");
      db.exec("PRAGMA wal_checkpoint(PASSIVE)");
      db.exec("DELETE FROM filler");
      db.exec("PRAGMA wal_checkpoint(PASSIVE)");
      ++rounds;
    }
    stop = true;
  });
  int truncated = 0;
  int reads = 0;
  while (!stop) {
    try {
      store::detail::precheck_file(path);
    } catch (const Error& e) {
      if (std::string(e.what()).find("truncated") != std::string::npos) ++truncated;
    }
    ++reads;
  }
  writer.join();
  CAPTURE(reads);
  CHECK(rounds == 60);
  CHECK(truncated == 0);
}

TEST_CASE("a really truncated file is still called truncated when a WAL sits beside it") {
  test::TempDir dir;
  const std::string path = dir.file("a.db");
  make_chain(path, 200);
  const auto size = std::filesystem::file_size(path);
  std::filesystem::resize_file(path, size / 2);
  std::ofstream(path + "-wal") << "leftover";
  try {
    store::detail::precheck_file(path);
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == make_error_code(store::error::corrupt));
    CHECK(std::string(e.what()).find("truncated") != std::string::npos);
  }
}

TEST_CASE("a read-only store reads a database in a directory and file it cannot write") {
  test::TempDir dir;
  const std::string ro_dir = dir.file("ro");
  std::filesystem::create_directory(ro_dir);
  const std::string path = ro_dir + "/a.db";
  make_chain(path, 3);
  REQUIRE_FALSE(std::filesystem::exists(path + "-wal"));  // a clean close removes it
  REQUIRE(::chmod(path.c_str(), 0444) == 0);
  REQUIRE(::chmod(ro_dir.c_str(), 0555) == 0);
  REQUIRE(::chmod(dir.file("").c_str(), 0755) == 0);
  // root ignores permissions: the child drops to nobody, for whom the modes hold.
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) _exit(10);
    if (::access(ro_dir.c_str(), W_OK) == 0) _exit(11);  // the directory must really be read-only
    try {
      SqliteOptions options;
      options.read_only = true;
      SqliteStore store(path, options);
      auto latest = store.get("t", "");
      if (!latest || latest->record.id != cid(3)) _exit(12);
      if (store.list("t", "").size() != 4) _exit(13);
      (void)store.threads();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "read-only open failed: %s\n", e.what());
      _exit(14);
    }
    _exit(0);
  }
  CHECK(wait_exit_code(child) == 0);
  ::chmod(ro_dir.c_str(), 0755);
}
