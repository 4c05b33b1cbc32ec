// SPDX-License-Identifier: MIT
#pragma once
// Private: one SQLite connection with a cache of prepared statements, transactions, and the
// conversion of SQLite exceptions into weft::Error. Not thread-safe: the owner serialises use.

#include "engine/error.hpp"
#include "store/error.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

namespace weft::store::detail {

std::int64_t now_ms() noexcept;
/// "2026-11-24T09:40:00.123Z"
std::string format_utc(std::int64_t epoch_ms);

/// Converts a caught SQLite::Exception into weft::Error; `context` says what was being done
/// ("opening the store", "thread 't': saving checkpoint 'c'"), `db_path` names the file.
[[noreturn]] void throw_sqlite(const SQLite::Exception& e, std::string_view db_path, std::string_view context);

/// Reads the first 100 bytes of an existing file and throws weft::Error (not_a_database, corrupt)
/// when it cannot be an intact SQLite database: wrong magic, bad page size, or a file shorter than
/// the page count its header declares (truncated). A missing or empty file passes. With a non-empty
/// "-wal" beside it, an apparent truncation is read again (up to about 1 s) until the file is
/// consistent or stops changing: another process's WAL checkpoint extends the file after
/// rewriting its header, and a live database must never be called truncated.
void precheck_file(const std::string& path);

class Db {
 public:
  /// read_only: SQLITE_OPEN_READONLY; when SQLite cannot open the WAL index (a read-only
  /// directory or -shm), falls back to an immutable open of the file. Throws SQLite::Exception.
  Db(const std::string& path, bool read_only, int busy_timeout_ms);

  SQLite::Database& raw() noexcept { return db_; }
  /// The prepared statement for `sql` (a string literal: cached by address), ready to bind.
  SQLite::Statement& stmt(const char* sql);
  void exec(const char* sql) { db_.exec(sql); }
  int changes() const noexcept { return db_.getChanges(); }
  /// PRAGMA journal_mode = WAL, retried until the busy timeout: on a new file, connections racing
  /// to switch it get SQLITE_BUSY at once (SQLite does not call the busy handler there, to avoid
  /// a deadlock between their shared locks). Throws SQLite::Exception.
  void enter_wal_mode();

 private:
  SQLite::Database db_;
  int busy_timeout_ms_;
  std::unordered_map<const char*, std::unique_ptr<SQLite::Statement>> statements_;
};

/// Resets a cached statement when the scope ends, so it releases its read snapshot and is ready
/// for the next use even after an exception.
class Use {
 public:
  explicit Use(SQLite::Statement& statement) noexcept : statement_(statement) {}
  ~Use() { statement_.tryReset(); }
  Use(const Use&) = delete;
  Use& operator=(const Use&) = delete;
  SQLite::Statement* operator->() const noexcept { return &statement_; }
  SQLite::Statement& operator*() const noexcept { return statement_; }

 private:
  SQLite::Statement& statement_;
};

/// BEGIN IMMEDIATE (takes the write lock now, so a busy database waits in busy_timeout instead of
/// failing on lock upgrade); rolls back unless commit() ran.
class WriteTxn {
 public:
  explicit WriteTxn(Db& db);
  ~WriteTxn();
  WriteTxn(const WriteTxn&) = delete;
  WriteTxn& operator=(const WriteTxn&) = delete;
  void commit();

 private:
  Db& db_;
  bool open_ = true;
};

}  // namespace weft::store::detail
