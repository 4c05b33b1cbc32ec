// SPDX-License-Identifier: MIT
#include "server/detail/catalog.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <stdexcept>

namespace json = boost::json;

namespace weft::server::detail {
namespace {

json::object parse_object(const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return {};
  return std::move(v.as_object());
}

ThreadRow read_thread(SQLite::Statement& q) {
  ThreadRow row;
  row.thread_id = q.getColumn(0).getString();
  row.created_at_ms = q.getColumn(1).getInt64();
  row.updated_at_ms = q.getColumn(2).getInt64();
  row.metadata = parse_object(q.getColumn(3).getString());
  row.graph_id = q.getColumn(4).getString();
  return row;
}

constexpr const char* kRunColumns =
    "run_id, thread_id, assistant_id, graph_id, status, metadata, kwargs, multitask_strategy, created_at_ms, "
    "updated_at_ms, temporary_thread";

RunRow read_run(SQLite::Statement& q) {
  RunRow row;
  row.run_id = q.getColumn(0).getString();
  row.thread_id = q.getColumn(1).getString();
  row.assistant_id = q.getColumn(2).getString();
  row.graph_id = q.getColumn(3).getString();
  row.status = q.getColumn(4).getString();
  row.metadata = parse_object(q.getColumn(5).getString());
  row.kwargs = parse_object(q.getColumn(6).getString());
  row.multitask_strategy = q.getColumn(7).getString();
  row.created_at_ms = q.getColumn(8).getInt64();
  row.updated_at_ms = q.getColumn(9).getInt64();
  row.temporary_thread = q.getColumn(10).getInt() != 0;
  return row;
}

constexpr const char* kCronColumns =
    "cron_id, assistant_id, thread_id, schedule, payload, metadata, next_run_ms, end_time_ms, enabled, "
    "on_run_completed, created_at_ms, updated_at_ms";

CronRow read_cron(SQLite::Statement& q) {
  CronRow row;
  row.cron_id = q.getColumn(0).getString();
  row.assistant_id = q.getColumn(1).getString();
  row.thread_id = q.getColumn(2).getString();
  row.schedule = q.getColumn(3).getString();
  row.payload = parse_object(q.getColumn(4).getString());
  row.metadata = parse_object(q.getColumn(5).getString());
  row.next_run_ms = q.getColumn(6).getInt64();
  row.end_time_ms = q.getColumn(7).getInt64();
  row.enabled = q.getColumn(8).getInt() != 0;
  row.on_run_completed = q.getColumn(9).getString();
  row.created_at_ms = q.getColumn(10).getInt64();
  row.updated_at_ms = q.getColumn(11).getInt64();
  return row;
}

template <class F>
auto guarded(const std::string& path, const char* what, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const SQLite::Exception& e) {
    throw std::runtime_error("server catalog '" + path + "': " + what + ": " + e.what());
  }
}

}  // namespace

Catalog::Catalog(const std::string& path) : path_(path) {
  guarded(path_, "opening", [&] {
    db_ = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db_->setBusyTimeout(5000);
    db_->exec("PRAGMA journal_mode=WAL");
    // As the checkpoint store (store/sqlite_store.hpp): WAL + NORMAL survives a killed process
    // without an fsync per commit (SQLite's default FULL cost an fsync per run state change, which
    // on one io thread capped a server at a few dozen runs/s).
    db_->exec("PRAGMA synchronous=NORMAL");
    db_->exec(
        "CREATE TABLE IF NOT EXISTS server_threads (thread_id TEXT PRIMARY KEY, created_at_ms INTEGER NOT NULL, "
        "updated_at_ms INTEGER NOT NULL, metadata TEXT NOT NULL, graph_id TEXT NOT NULL)");
    db_->exec(
        "CREATE TABLE IF NOT EXISTS server_runs (run_id TEXT PRIMARY KEY, thread_id TEXT NOT NULL, assistant_id "
        "TEXT NOT NULL, graph_id TEXT NOT NULL, status TEXT NOT NULL, metadata TEXT NOT NULL, kwargs TEXT NOT NULL, "
        "multitask_strategy TEXT NOT NULL, created_at_ms INTEGER NOT NULL, updated_at_ms INTEGER NOT NULL, "
        "temporary_thread INTEGER NOT NULL)");
    db_->exec(
        "CREATE TABLE IF NOT EXISTS server_crons (cron_id TEXT PRIMARY KEY, assistant_id TEXT NOT NULL, thread_id "
        "TEXT NOT NULL, schedule TEXT NOT NULL, payload TEXT NOT NULL, metadata TEXT NOT NULL, next_run_ms INTEGER "
        "NOT NULL, end_time_ms INTEGER NOT NULL, enabled INTEGER NOT NULL, on_run_completed TEXT NOT NULL, "
        "created_at_ms INTEGER NOT NULL, updated_at_ms INTEGER NOT NULL)");
    db_->exec(
        "CREATE TABLE IF NOT EXISTS server_hook_events (identity TEXT PRIMARY KEY, website_id TEXT NOT NULL, event "
        "TEXT NOT NULL, session_id TEXT NOT NULL, received_at_ms INTEGER NOT NULL, body TEXT NOT NULL, run_id TEXT "
        "NOT NULL, note TEXT NOT NULL)");
    db_->exec("CREATE INDEX IF NOT EXISTS server_runs_thread ON server_runs(thread_id, created_at_ms)");
  });
}

Catalog::~Catalog() = default;

Catalog::Batch::Batch(Catalog& catalog) : catalog_(catalog) {
  std::lock_guard lock(catalog_.mutex_);
  guarded(catalog_.path_, "beginning a transaction", [&] { catalog_.db_->exec("BEGIN IMMEDIATE"); });
}

Catalog::Batch::~Batch() {
  if (done_) return;
  std::lock_guard lock(catalog_.mutex_);
  try {
    catalog_.db_->exec("ROLLBACK");
  } catch (const SQLite::Exception&) {  // nothing begun is left open: SQLite rolled back already
  }
}

void Catalog::Batch::commit() {
  std::lock_guard lock(catalog_.mutex_);
  guarded(catalog_.path_, "committing", [&] { catalog_.db_->exec("COMMIT"); });
  done_ = true;
}

std::optional<ThreadRow> Catalog::thread(const std::string& thread_id) {
  std::lock_guard lock(mutex_);
  return guarded(path_, "reading a thread", [&]() -> std::optional<ThreadRow> {
    SQLite::Statement q(*db_,
                        "SELECT thread_id, created_at_ms, updated_at_ms, metadata, graph_id FROM server_threads "
                        "WHERE thread_id = ?");
    q.bind(1, thread_id);
    if (!q.executeStep()) return std::nullopt;
    return read_thread(q);
  });
}

std::vector<ThreadRow> Catalog::threads() {
  std::lock_guard lock(mutex_);
  return guarded(path_, "listing threads", [&] {
    SQLite::Statement q(*db_,
                        "SELECT thread_id, created_at_ms, updated_at_ms, metadata, graph_id FROM server_threads "
                        "ORDER BY created_at_ms DESC, thread_id");
    std::vector<ThreadRow> rows;
    while (q.executeStep()) rows.push_back(read_thread(q));
    return rows;
  });
}

void Catalog::put_thread(const ThreadRow& row) {
  std::lock_guard lock(mutex_);
  guarded(path_, "saving a thread", [&] {
    SQLite::Statement q(*db_, "INSERT OR REPLACE INTO server_threads VALUES (?, ?, ?, ?, ?)");
    q.bind(1, row.thread_id);
    q.bind(2, static_cast<std::int64_t>(row.created_at_ms));
    q.bind(3, static_cast<std::int64_t>(row.updated_at_ms));
    q.bind(4, json::serialize(row.metadata));
    q.bind(5, row.graph_id);
    q.exec();
  });
}

bool Catalog::delete_thread(const std::string& thread_id) {
  std::lock_guard lock(mutex_);
  return guarded(path_, "deleting a thread", [&] {
    SQLite::Transaction tx(*db_);
    SQLite::Statement runs(*db_, "DELETE FROM server_runs WHERE thread_id = ?");
    runs.bind(1, thread_id);
    runs.exec();
    SQLite::Statement q(*db_, "DELETE FROM server_threads WHERE thread_id = ?");
    q.bind(1, thread_id);
    bool deleted = q.exec() > 0;
    tx.commit();
    return deleted;
  });
}

std::optional<RunRow> Catalog::run(const std::string& run_id) {
  std::lock_guard lock(mutex_);
  return guarded(path_, "reading a run", [&]() -> std::optional<RunRow> {
    SQLite::Statement q(*db_, std::string("SELECT ") + kRunColumns + " FROM server_runs WHERE run_id = ?");
    q.bind(1, run_id);
    if (!q.executeStep()) return std::nullopt;
    return read_run(q);
  });
}

std::vector<RunRow> Catalog::runs_of(const std::string& thread_id) {
  std::lock_guard lock(mutex_);
  return guarded(path_, "listing runs", [&] {
    SQLite::Statement q(*db_, std::string("SELECT ") + kRunColumns +
                                  " FROM server_runs WHERE thread_id = ? ORDER BY created_at_ms DESC, rowid DESC");
    q.bind(1, thread_id);
    std::vector<RunRow> rows;
    while (q.executeStep()) rows.push_back(read_run(q));
    return rows;
  });
}

std::vector<RunRow> Catalog::unfinished_runs() {
  std::lock_guard lock(mutex_);
  return guarded(path_, "listing unfinished runs", [&] {
    SQLite::Statement q(*db_, std::string("SELECT ") + kRunColumns +
                                  " FROM server_runs WHERE status IN ('pending', 'running') ORDER BY created_at_ms, "
                                  "rowid");
    std::vector<RunRow> rows;
    while (q.executeStep()) rows.push_back(read_run(q));
    return rows;
  });
}

void Catalog::put_run(const RunRow& row) {
  std::lock_guard lock(mutex_);
  guarded(path_, "saving a run", [&] {
    SQLite::Statement q(*db_, "INSERT OR REPLACE INTO server_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    q.bind(1, row.run_id);
    q.bind(2, row.thread_id);
    q.bind(3, row.assistant_id);
    q.bind(4, row.graph_id);
    q.bind(5, row.status);
    q.bind(6, json::serialize(row.metadata));
    q.bind(7, json::serialize(row.kwargs));
    q.bind(8, row.multitask_strategy);
    q.bind(9, static_cast<std::int64_t>(row.created_at_ms));
    q.bind(10, static_cast<std::int64_t>(row.updated_at_ms));
    q.bind(11, row.temporary_thread ? 1 : 0);
    q.exec();
  });
}

void Catalog::delete_run(const std::string& run_id) {
  std::lock_guard lock(mutex_);
  guarded(path_, "deleting a run", [&] {
    SQLite::Statement q(*db_, "DELETE FROM server_runs WHERE run_id = ?");
    q.bind(1, run_id);
    q.exec();
  });
}

std::optional<CronRow> Catalog::cron(const std::string& cron_id) {
  std::lock_guard lock(mutex_);
  return guarded(path_, "reading a cron", [&]() -> std::optional<CronRow> {
    SQLite::Statement q(*db_, std::string("SELECT ") + kCronColumns + " FROM server_crons WHERE cron_id = ?");
    q.bind(1, cron_id);
    if (!q.executeStep()) return std::nullopt;
    return read_cron(q);
  });
}

std::vector<CronRow> Catalog::crons() {
  std::lock_guard lock(mutex_);
  return guarded(path_, "listing crons", [&] {
    SQLite::Statement q(*db_,
                        std::string("SELECT ") + kCronColumns + " FROM server_crons ORDER BY created_at_ms, rowid");
    std::vector<CronRow> rows;
    while (q.executeStep()) rows.push_back(read_cron(q));
    return rows;
  });
}

void Catalog::put_cron(const CronRow& row) {
  std::lock_guard lock(mutex_);
  guarded(path_, "saving a cron", [&] {
    SQLite::Statement q(*db_, "INSERT OR REPLACE INTO server_crons VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    q.bind(1, row.cron_id);
    q.bind(2, row.assistant_id);
    q.bind(3, row.thread_id);
    q.bind(4, row.schedule);
    q.bind(5, json::serialize(row.payload));
    q.bind(6, json::serialize(row.metadata));
    q.bind(7, static_cast<std::int64_t>(row.next_run_ms));
    q.bind(8, static_cast<std::int64_t>(row.end_time_ms));
    q.bind(9, row.enabled ? 1 : 0);
    q.bind(10, row.on_run_completed);
    q.bind(11, static_cast<std::int64_t>(row.created_at_ms));
    q.bind(12, static_cast<std::int64_t>(row.updated_at_ms));
    q.exec();
  });
}

bool Catalog::delete_cron(const std::string& cron_id) {
  std::lock_guard lock(mutex_);
  return guarded(path_, "deleting a cron", [&] {
    SQLite::Statement q(*db_, "DELETE FROM server_crons WHERE cron_id = ?");
    q.bind(1, cron_id);
    return q.exec() > 0;
  });
}

namespace {

constexpr const char* kHookColumns = "identity, website_id, event, session_id, received_at_ms, body, run_id, note";

HookEventRow read_hook_event(SQLite::Statement& q) {
  HookEventRow row;
  row.identity = q.getColumn(0).getString();
  row.website_id = q.getColumn(1).getString();
  row.event = q.getColumn(2).getString();
  row.session_id = q.getColumn(3).getString();
  row.received_at_ms = q.getColumn(4).getInt64();
  row.body = q.getColumn(5).getString();
  row.run_id = q.getColumn(6).getString();
  row.note = q.getColumn(7).getString();
  return row;
}

}  // namespace

bool Catalog::insert_hook_event(const HookEventRow& row) {
  std::lock_guard lock(mutex_);
  return guarded(path_, "saving a Crisp event", [&] {
    SQLite::Statement q(*db_, "INSERT OR IGNORE INTO server_hook_events VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    q.bind(1, row.identity);
    q.bind(2, row.website_id);
    q.bind(3, row.event);
    q.bind(4, row.session_id);
    q.bind(5, static_cast<std::int64_t>(row.received_at_ms));
    q.bind(6, row.body);
    q.bind(7, row.run_id);
    q.bind(8, row.note);
    return q.exec() > 0;
  });
}

void Catalog::set_hook_event_run(const std::string& identity, const std::string& run_id, const std::string& note) {
  std::lock_guard lock(mutex_);
  guarded(path_, "routing a Crisp event", [&] {
    SQLite::Statement q(*db_, "UPDATE server_hook_events SET run_id = ?, note = ? WHERE identity = ?");
    q.bind(1, run_id);
    q.bind(2, note);
    q.bind(3, identity);
    q.exec();
  });
}

std::vector<HookEventRow> Catalog::unrouted_hook_events() {
  std::lock_guard lock(mutex_);
  return guarded(path_, "listing unrouted Crisp events", [&] {
    SQLite::Statement q(*db_, std::string("SELECT ") + kHookColumns +
                                  " FROM server_hook_events WHERE run_id = '' ORDER BY received_at_ms, rowid");
    std::vector<HookEventRow> rows;
    while (q.executeStep()) rows.push_back(read_hook_event(q));
    return rows;
  });
}

std::optional<HookEventRow> Catalog::hook_event(const std::string& identity) {
  std::lock_guard lock(mutex_);
  return guarded(path_, "reading a Crisp event", [&]() -> std::optional<HookEventRow> {
    SQLite::Statement q(*db_, std::string("SELECT ") + kHookColumns + " FROM server_hook_events WHERE identity = ?");
    q.bind(1, identity);
    if (!q.executeStep()) return std::nullopt;
    return read_hook_event(q);
  });
}

std::size_t Catalog::hook_event_count() {
  std::lock_guard lock(mutex_);
  return guarded(path_, "counting Crisp events", [&] {
    SQLite::Statement q(*db_, "SELECT COUNT(*) FROM server_hook_events");
    q.executeStep();
    return static_cast<std::size_t>(q.getColumn(0).getInt64());
  });
}

}  // namespace weft::server::detail
