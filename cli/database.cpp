// SPDX-License-Identifier: MIT
// Opening a store from a --db string (database.hpp).
#include "cli/database.hpp"

#include "cli/args.hpp"
#include "store/error.hpp"
#include "store/postgres_memory_store.hpp"
#include "store/postgres_store.hpp"
#include "store/sqlite_memory_store.hpp"
#include "store/sqlite_store.hpp"

#include <filesystem>

namespace weft::cli {

bool Database::is_url(const std::string& db) noexcept { return is_postgres_url(db); }

std::string Database::display_name(const std::string& db) { return is_url(db) ? redact_database_url(db) : db; }

std::shared_ptr<Database> Database::open(const std::string& db, Mode mode, std::int64_t lease_ttl_ms) {
  auto out = std::make_shared<Database>();
  out->name_ = display_name(db);
  if (is_url(db)) {
    PostgresOptions options;
    if (lease_ttl_ms > 0) options.lease_ttl_ms = lease_ttl_ms;
    out->postgres_ = std::make_shared<PostgresStore>(db, options);
    out->checkpointer_ = out->postgres_;
    out->journal_ = out->postgres_;
    return out;
  }
  if (mode == Mode::existing) {
    if (!std::filesystem::exists(db)) {
      // Exit 2 like every other "what you named does not exist" (thread, checkpoint, check's DB).
      throw UsageError("no database at '" + db + "'; run 'weft run GRAPH' first or give the right file with --db PATH");
    }
    // Reading only: works on a read-only file or directory, and creates nothing.
    SqliteOptions options;
    options.read_only = true;
    try {
      out->sqlite_ = std::make_shared<SqliteStore>(db, options);
    } catch (const Error& e) {
      // A database of an older schema needs migrating, which only a read-write open does; where
      // that is impossible too, its error says why.
      if (e.code() != make_error_code(store::error::open_failed)) throw;
      out->sqlite_ = std::make_shared<SqliteStore>(db);
    }
  } else {
    SqliteOptions options;
    if (lease_ttl_ms > 0) options.lease_ttl_ms = lease_ttl_ms;
    out->sqlite_ = std::make_shared<SqliteStore>(db, options);
  }
  out->checkpointer_ = out->sqlite_;
  out->journal_ = out->sqlite_;
  return out;
}

std::shared_ptr<Store> Database::memory_store(const std::string& db) const {
  if (postgres_) return std::make_shared<PostgresMemoryStore>(db);
  return std::make_shared<SqliteMemoryStore>(db);
}

bool Database::has_live_run(const std::string& thread_id) {
  return postgres_ ? postgres_->has_live_run(thread_id) : sqlite_->has_live_run(thread_id);
}

}  // namespace weft::cli
