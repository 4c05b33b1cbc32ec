// SPDX-License-Identifier: MIT
// Many processes opening one new store file at the same moment (a pool of `weft worker`s started
// together, or restarted after a crash) all open it: none calls it "not a Weft store" because it
// looked while another was creating the schema.
#include "store/sqlite_memory_store.hpp"
#include "store/sqlite_store.hpp"

#include "fixtures.hpp"

#include <doctest/doctest.h>

#include <latch>
#include <string>
#include <thread>
#include <vector>

using namespace weft;

namespace {

constexpr int kOpeners = 8;
constexpr int kRounds = 40;

/// Opens `path` from kOpeners threads released together (each its own connection, as separate
/// processes have); returns the errors they met, one line each.
template <typename Open>
std::vector<std::string> open_together(const std::string& path, Open open) {
  std::latch start(kOpeners);
  std::vector<std::string> errors(kOpeners);
  std::vector<std::thread> openers;
  for (int i = 0; i < kOpeners; ++i) {
    openers.emplace_back([&, i] {
      start.arrive_and_wait();
      try {
        open(path);
      } catch (const std::exception& e) {
        errors[static_cast<std::size_t>(i)] = e.what();
      }
    });
  }
  for (auto& t : openers) t.join();
  std::vector<std::string> failed;
  for (auto& e : errors)
    if (!e.empty()) failed.push_back(std::move(e));
  return failed;
}

/// kRounds new files, each opened by kOpeners at once: every opener succeeds, and the file is
/// then an empty Weft store.
template <typename Open>
void check_racing_opens(Open open) {
  test::TempDir dir;
  for (int round = 0; round < kRounds; ++round) {
    const std::string path = dir.file("race" + std::to_string(round) + ".db");
    const auto errors = open_together(path, open);
    CHECK_MESSAGE(errors.empty(), "round " << round << ": " << (errors.empty() ? "" : errors.front()));
    if (!errors.empty()) break;
    SqliteStore after(path);
    CHECK(after.threads().empty());
  }
}

}  // namespace

TEST_CASE("openers racing to create one new store file all open it") {
  check_racing_opens([](const std::string& p) { SqliteStore store(p); });
}

TEST_CASE("openers racing to create one new memory store file all open it") {
  check_racing_opens([](const std::string& p) { SqliteMemoryStore store(p); });
}

TEST_CASE("a file holding another application's tables is still refused when opened by many at once") {
  test::TempDir dir;
  const std::string path = dir.file("other.db");
  SQLite::Database(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE)
      .exec("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total INTEGER)");
  const auto errors = open_together(path, [](const std::string& p) { SqliteStore store(p); });
  REQUIRE(errors.size() == static_cast<std::size_t>(kOpeners));
  for (const auto& e : errors) CHECK(e.find("not a Weft store") != std::string::npos);
}
