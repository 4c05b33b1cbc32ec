// SPDX-License-Identifier: MIT
#include "store/detail/db.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <thread>

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
      throw Error(error::corrupt, message +
                                      "; the database file is damaged: run 'weft check' on it and restore "
                                      "from a backup");
    case SQLITE_NOTADB:
      throw Error(error::not_a_database, message + "; this file is not a Weft (SQLite) database: check the path");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      throw Error(error::busy, message + "; another process kept the database locked past the busy timeout");
    case SQLITE_FULL: throw Error(error::disk_full, message + "; free disk space and retry");
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
      throw Error(error::open_failed, message + "; check that the file and its directory exist and are writable");
    default: throw Error(error::sqlite, message);
  }
}

namespace {

std::uint32_t big_endian(const unsigned char* p, int bytes) {
  std::uint32_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | p[i];
  return v;
}

// One reading of the file: its size and its first 100 bytes.
struct HeaderReading {
  std::uintmax_t size = 0;
  std::array<unsigned char, 100> header{};
  std::size_t got = 0;
  bool present = false;
};

HeaderReading read_header(const std::string& path) {
  HeaderReading r;
  std::error_code ec;
  r.size = std::filesystem::file_size(path, ec);
  if (ec || r.size == 0) return r;  // absent (created on open) or empty (SQLite treats it as a new database)
  std::ifstream in(path, std::ios::binary);
  if (!in) return r;  // the open proper reports permission problems with SQLite's words
  in.read(reinterpret_cast<char*>(r.header.data()), r.header.size());
  r.got = static_cast<std::size_t>(in.gcount());
  r.present = true;
  return r;
}

// The header's page count times the page size when it exceeds the file's size (truncation), else 0.
// Throws for a file that is not an SQLite database at all or whose header is impossible.
std::uint64_t declared_beyond_size(const std::string& path, const HeaderReading& r) {
  static constexpr char kMagic[] = "SQLite format 3";  // 15 characters and a NUL
  if (r.got < 16 || !std::equal(kMagic, kMagic + 16, r.header.begin())) {
    throw Error(error::not_a_database,
                "'" + path + "' is not a Weft database (no SQLite header in its first " + "bytes); check the path");
  }
  if (r.got < r.header.size()) {
    throw Error(error::corrupt, "'" + path + "' is truncated (" + std::to_string(r.size) +
                                    " bytes, shorter than an SQLite header); restore it from a backup");
  }
  std::uint32_t page_size = big_endian(&r.header[16], 2);
  if (page_size == 1) page_size = 65536;
  if (page_size < 512 || page_size > 65536 || (page_size & (page_size - 1)) != 0) {
    throw Error(error::corrupt, "'" + path + "' has an invalid SQLite header (page size " + std::to_string(page_size) +
                                    "); run 'weft check' and restore from a backup");
  }
  const std::uint32_t change_counter = big_endian(&r.header[24], 4);
  const std::uint32_t pages = big_endian(&r.header[28], 4);
  const std::uint32_t valid_for = big_endian(&r.header[92], 4);
  // The in-header page count is authoritative only when written by the same change as the counter.
  const std::uint64_t declared = static_cast<std::uint64_t>(pages) * page_size;
  if (pages != 0 && valid_for == change_counter && declared > static_cast<std::uint64_t>(r.size)) return declared;
  return 0;
}

}  // namespace

void precheck_file(const std::string& path) {
  HeaderReading r = read_header(path);
  if (!r.present) return;
  std::uint64_t declared = declared_beyond_size(path, r);
  if (declared == 0) return;
  // A WAL checkpoint in another process copies page 1 (with the new page count) into the file
  // before the pages that extend it, so a live database can look truncated for a moment. With a
  // WAL beside the file, read again until the file is consistent or has stopped changing.
  std::error_code ec;
  if (std::filesystem::file_size(path + "-wal", ec) > 0 && !ec) {
    constexpr int kRereads = 100;  // 10 ms apart: a checkpoint finishes far sooner
    int unchanged = 0;
    for (int i = 0; i < kRereads && unchanged < 20; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      const HeaderReading again = read_header(path);
      if (!again.present) return;  // gone or emptied: the open proper will say what it finds
      const std::uint64_t now_declared = declared_beyond_size(path, again);
      if (now_declared == 0) return;
      unchanged = (again.size == r.size && again.header == r.header) ? unchanged + 1 : 0;
      r = again;
      declared = now_declared;
    }
  }
  throw Error(error::corrupt, "'" + path + "' is truncated: its header declares " + std::to_string(declared) +
                                  " bytes of pages but the file has " + std::to_string(r.size) +
                                  " bytes; restore it from a backup");
}

namespace {

// "file:" URI of a path: '%', '?' and '#' (and anything outside printable ASCII) percent-encoded.
std::string file_uri(const std::string& path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string uri = "file:";
  for (unsigned char c : path) {
    if (c == '%' || c == '?' || c == '#' || c <= 0x20 || c >= 0x7f) {
      uri += '%';
      uri += kHex[c >> 4];
      uri += kHex[c & 0xf];
    } else {
      uri += static_cast<char>(c);
    }
  }
  return uri;
}

// NOMUTEX: the owner serialises every use of the connection with its own mutex, so SQLite's
// per-call mutexes would only add cost.
SQLite::Database open_connection(const std::string& path, bool read_only, int busy_timeout_ms) {
  if (!read_only) {
    return SQLite::Database(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX, busy_timeout_ms);
  }
  SQLite::Database db(path, SQLite::OPEN_READONLY | SQLite::OPEN_NOMUTEX, busy_timeout_ms);
  try {
    db.exec("SELECT count(*) FROM sqlite_master");  // the first read opens the WAL index
    return db;
  } catch (const SQLite::Exception& e) {
    const int primary = e.getErrorCode() & 0xff;
    if (primary != SQLITE_CANTOPEN && primary != SQLITE_READONLY && primary != SQLITE_PERM) throw;
  }
  // A WAL database in a directory this process cannot write (or a read-only -shm): SQLite cannot
  // create the WAL index. Nobody can be writing there through SQLite either, so read the file as
  // immutable (no locks, no -shm; a leftover -wal is ignored).
  return SQLite::Database(file_uri(path) + "?immutable=1",
                          SQLite::OPEN_READONLY | SQLite::OPEN_URI | SQLite::OPEN_NOMUTEX, busy_timeout_ms);
}

}  // namespace

Db::Db(const std::string& path, bool read_only, int busy_timeout_ms)
    : db_(open_connection(path, read_only, busy_timeout_ms)), busy_timeout_ms_(busy_timeout_ms) {}

void Db::enter_wal_mode() {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(busy_timeout_ms_);
  auto pause = std::chrono::milliseconds(1);
  for (;;) {
    try {
      db_.exec("PRAGMA journal_mode = WAL");
      return;
    } catch (const SQLite::Exception& e) {
      if ((e.getErrorCode() & 0xff) != SQLITE_BUSY || std::chrono::steady_clock::now() + pause > deadline) throw;
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(20));
  }
}

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
