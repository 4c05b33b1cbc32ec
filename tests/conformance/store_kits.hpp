// SPDX-License-Identifier: MIT
#pragma once
// The stores the conformance suite runs against, one kit each: a fresh store (and node cache),
// whether it implements leases, and a second handle on the same data (another "process").
// WEFT_STORE_KITS lists them for TEST_CASE_TEMPLATE.

#include "store/memory_checkpointer.hpp"
#include "store/memory_node_cache.hpp"
#include "store/postgres_store.hpp"
#include "store/sqlite_store.hpp"
#include "tests/support/postgres.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <filesystem>
#include <memory>

namespace weft::test {

// leases: acquire_lease/break_lease/has_live_run exist. fenced: a write after the lease was broken
// fails at once (SqliteStore notices at its next heartbeat instead). strict_journal: begin() on a
// done effect throws effect_conflict (the memory journal does not check).
struct MemoryKit {
  static constexpr bool leases = false, fenced = false, strict_journal = false;
  MemoryCheckpointer store{4};
  MemoryNodeCache cache;
  Checkpointer& checkpointer() { return store; }
  EffectJournal& journal() { return store; }
  NodeCache& node_cache() { return cache; }
};

struct SqliteKit {
  static constexpr bool leases = true, fenced = false, strict_journal = true;
  struct Dir {
    std::filesystem::path path =
        std::filesystem::temp_directory_path() / ("weft-conformance-" + std::to_string(getpid()) + "-" +
                                                  std::to_string(reinterpret_cast<std::uintptr_t>(this) % 1000000));
    Dir() { std::filesystem::create_directories(path); }
    ~Dir() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  } dir;
  SqliteStore store{(dir.path / "store.db").string()};
  Checkpointer& checkpointer() { return store; }
  EffectJournal& journal() { return store; }
  NodeCache& node_cache() { return store; }
  std::unique_ptr<SqliteStore> another() { return std::make_unique<SqliteStore>((dir.path / "store.db").string()); }
};

struct PostgresKit {
  static constexpr bool leases = true, fenced = true, strict_journal = true;
  TestDatabase db;
  PostgresStore store{db.url()};
  Checkpointer& checkpointer() { return store; }
  EffectJournal& journal() { return store; }
  NodeCache& node_cache() { return store; }
  std::unique_ptr<PostgresStore> another() { return std::make_unique<PostgresStore>(db.url()); }
};

#define WEFT_STORE_KITS weft::test::MemoryKit, weft::test::SqliteKit, weft::test::PostgresKit

/// Runs an awaitable to completion on a fresh io_context (the executor a run would use).
template <class T>
T await(boost::asio::awaitable<T> op) {
  boost::asio::io_context io;
  auto result = boost::asio::co_spawn(io, std::move(op), boost::asio::use_future);
  io.run();
  return result.get();
}

}  // namespace weft::test
