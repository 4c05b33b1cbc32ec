// SPDX-License-Identifier: MIT
#pragma once
// Private: what the server records beside the checkpoints, in its own tables of the same SQLite
// file (server_threads, server_runs, server_crons, server_hook_events; format in server/README.md). The engine's thread rows hold
// the run status; these hold what the LangGraph API adds: user metadata of threads, and runs with
// their request, so that a restarted server finds the runs it had accepted.
// Thread safety: every method may be called from any thread (one connection under a mutex).
// Errors: std::runtime_error naming the file and the operation.

#include <boost/json/object.hpp>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace SQLite {
class Database;
}

namespace weft::server::detail {

struct ThreadRow {
  std::string thread_id;
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
  boost::json::object metadata;
  std::string graph_id;  ///< the graph its runs use ("" until the first run or given at creation)
};

struct RunRow {
  std::string run_id;
  std::string thread_id;
  std::string assistant_id;  ///< the assistant id as the client gave it (graph name or uuid)
  std::string graph_id;
  std::string status;  ///< pending, running, success, error, interrupted, timeout
  boost::json::object metadata;
  boost::json::object kwargs;  ///< the validated request (input, command, config, stream_mode, ...)
  std::string multitask_strategy;
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
  bool temporary_thread = false;  ///< a stateless run: its thread is deleted when it ends
};

struct CronRow {
  std::string cron_id;
  std::string assistant_id;
  std::string thread_id;        ///< "" for a stateless cron (each run on a new thread)
  std::string schedule;         ///< five cron fields, UTC
  boost::json::object payload;  ///< the run request fields (input, config, metadata, ...)
  boost::json::object metadata;
  std::int64_t next_run_ms = -1;  ///< -1: never again
  std::int64_t end_time_ms = 0;   ///< 0: no end
  bool enabled = true;
  std::string on_run_completed = "delete";  ///< stateless crons: delete or keep each run's thread
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
};

/// A Crisp web hook event the server accepted (table server_hook_events).
struct HookEventRow {
  std::string identity;  ///< what deduplicates it (server/detail/hook_event.hpp)
  std::string website_id;
  std::string event;
  std::string session_id;
  std::int64_t received_at_ms = 0;
  std::string body;    ///< as received
  std::string run_id;  ///< the run it started; "" until routed; "-" when no rule matched
  std::string note;    ///< why it started no run, when it did not
};

class Catalog {
 public:
  explicit Catalog(const std::string& path);
  ~Catalog();

  /// Makes the writes done until commit() one transaction: one commit (one fsync) for what must
  /// be durable together, e.g. a Crisp event, its thread and its run. Destroyed uncommitted, it
  /// rolls them back. Use it on the thread that does the catalog's writes (the server's io
  /// thread), and call no method that opens its own transaction (delete_thread) inside it.
  class Batch {
   public:
    explicit Batch(Catalog& catalog);
    ~Batch();
    Batch(const Batch&) = delete;
    Batch& operator=(const Batch&) = delete;
    void commit();

   private:
    Catalog& catalog_;
    bool done_ = false;
  };

  std::optional<ThreadRow> thread(const std::string& thread_id);
  std::vector<ThreadRow> threads();
  void put_thread(const ThreadRow& row);
  bool delete_thread(const std::string& thread_id);  ///< its runs too

  std::optional<RunRow> run(const std::string& run_id);
  std::vector<RunRow> runs_of(const std::string& thread_id);  ///< newest first
  std::vector<RunRow> unfinished_runs();                      ///< pending or running, oldest first
  void put_run(const RunRow& row);
  void delete_run(const std::string& run_id);

  std::optional<CronRow> cron(const std::string& cron_id);
  std::vector<CronRow> crons();  ///< oldest first
  void put_cron(const CronRow& row);
  bool delete_cron(const std::string& cron_id);

  /// Records `row` unless an event with its identity is recorded. false: a duplicate, nothing
  /// written. Durable (committed) on return.
  bool insert_hook_event(const HookEventRow& row);
  void set_hook_event_run(const std::string& identity, const std::string& run_id, const std::string& note);
  /// Accepted events not yet routed (run_id ""), oldest first.
  std::vector<HookEventRow> unrouted_hook_events();
  std::optional<HookEventRow> hook_event(const std::string& identity);
  std::size_t hook_event_count();

 private:
  std::string path_;
  std::mutex mutex_;
  std::unique_ptr<SQLite::Database> db_;
};

}  // namespace weft::server::detail
