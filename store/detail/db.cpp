#include "store/detail/db.hpp"

#include <sqlite3.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>

namespace weft::store::detail {

std::int64_t now_ms() noexcept {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string format_utc(std::int64_t epoch_ms) {
  const std::time_t seconds = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[96];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(epoch_ms % 1000));
  return buffer;
}

void throw_sqlite(const SQLite::Exception& e, std::string_view db_path, std::string_view context) {
  const int primary = e.getErrorCode() & 0xff;
  std::string message = std::string(context) + " in '" + std::string(db_path) + "': " + e.what();
  switch (primary) {
    case SQLITE_CORRUPT:
      throw Error(error::corrupt, message + "; the database file is damaged: run 'weft check' on it and restore "
                                            "from a backup");
    case SQLITE_NOTADB:
      throw Error(error::not_a_database, message + "; this file is not a Weft (SQLite) database: check the path");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      throw Error(error::busy, message + "; another process kept the database locked past the busy timeout");
    case SQLITE_FULL:
      throw Error(error::disk_full, message + "; free disk space and retry");
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
      throw Error(error::open_failed, message + "; check that the file and its directory exist and are writable");
    default:
      throw Error(error::sqlite, message);
  }
}

namespace {

std::uint32_t big_endian(const unsigned char* p, int bytes) {
  std::uint32_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | p[i];
  return v;
}

}  // namespace

void precheck_file(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec || size == 0) return;  // absent (created on open) or empty (SQLite treats it as a new database)
  std::ifstream in(path, std::ios::binary);
  if (!in) return;  // the open proper reports permission problems with SQLite's words
  std::array<unsigned char, 100> header{};
  in.read(reinterpret_cast<char*>(header.data()), header.size());
  const auto got = static_cast<std::size_t>(in.gcount());
  static constexpr char kMagic[] = "SQLite format 3";  // 15 characters and a NUL
  if (got < 16 || !std::equal(kMagic, kMagic + 16, header.begin())) {
    throw Error(error::not_a_database, "'" + path + "' is not a Weft database (no SQLite header in its first " +
                                           "bytes); check the path");
  }
  if (got < header.size()) {
    throw Error(error::corrupt, "'" + path + "' is truncated (" + std::to_string(size) +
                                    " bytes, shorter than an SQLite header); restore it from a backup");
  }
  std::uint32_t page_size = big_endian(&header[16], 2);
  if (page_size == 1) page_size = 65536;
  if (page_size < 512 || page_size > 65536 || (page_size & (page_size - 1)) != 0) {
    throw Error(error::corrupt, "'" + path + "' has an invalid SQLite header (page size " + std::to_string(page_size) +
                                    "); run 'weft check' and restore from a backup");
  }
  const std::uint32_t change_counter = big_endian(&header[24], 4);
  const std::uint32_t pages = big_endian(&header[28], 4);
  const std::uint32_t valid_for = big_endian(&header[92], 4);
  // The in-header page count is authoritative only when written by the same change as the counter.
  if (pages != 0 && valid_for == change_counter &&
      static_cast<std::uint64_t>(pages) * page_size > static_cast<std::uint64_t>(size)) {
    throw Error(error::corrupt, "'" + path + "' is truncated: its header declares " + std::to_string(pages) +
                                    " pages of " + std::to_string(page_size) + " bytes but the file has " +
                                    std::to_string(size) + " bytes; restore it from a backup");
  }
}

// NOMUTEX: the owner serialises every use of the connection with its own mutex, so SQLite's
// per-call mutexes would only add cost.
Db::Db(const std::string& path, bool read_only, int busy_timeout_ms)
    : db_(path,
          (read_only ? SQLite::OPEN_READONLY : (SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE)) | SQLite::OPEN_NOMUTEX,
          busy_timeout_ms) {}

SQLite::Statement& Db::stmt(const char* sql) {
  auto found = statements_.find(sql);
  if (found != statements_.end()) return *found->second;
  auto [it, inserted] = statements_.emplace(sql, std::make_unique<SQLite::Statement>(db_, sql));
  return *it->second;
}

WriteTxn::WriteTxn(Db& db) : db_(db) {
  Use begin(db_.stmt("BEGIN IMMEDIATE"));  // prepared once: a step must not re-parse SQL
  begin->exec();
}

WriteTxn::~WriteTxn() {
  if (!open_) return;
  // A failed statement may already have rolled back; sqlite3_exec reports that harmlessly.
  sqlite3_exec(db_.raw().getHandle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void WriteTxn::commit() {
  Use commit(db_.stmt("COMMIT"));
  commit->exec();
  open_ = false;
}

}  // namespace weft::store::detail
