// SPDX-License-Identifier: MIT
#pragma once
// A blocking libpq session for the run queue: connect, run parameterised statements, wait for
// notifications. The queue's calls are short and its workers own a thread per slot, so blocking
// is what they want (the checkpointer's non-blocking pool is store/postgres's connection layer).
// Errors become weft::Error with store codes; messages carry the redacted URL, never a password.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

struct pg_conn;

namespace weft::store::detail {

/// One row: each column's text, nullopt for SQL NULL.
using PgRow = std::vector<std::optional<std::string>>;

class PgSession {
 public:
  /// Connects (blocking, 10 s connect timeout unless the URL says otherwise). Throws weft::Error
  /// open_failed with PostgreSQL's reason and the redacted URL.
  explicit PgSession(const std::string& url);
  ~PgSession();
  PgSession(const PgSession&) = delete;
  PgSession& operator=(const PgSession&) = delete;

  /// Runs one statement with text parameters ($1, $2, ...; nullopt is NULL) and returns its rows;
  /// without parameters `sql` may hold several statements (the last one's rows are returned).
  /// Throws weft::Error write_failed with PostgreSQL's message (thread_busy for a unique
  /// violation of the one-active-run-per-thread index).
  std::vector<PgRow> exec(const std::string& sql, const std::vector<std::optional<std::string>>& params = {});
  /// Waits until a notification arrives or `timeout` passes; drains all pending ones. Returns
  /// whether one arrived. Throws weft::Error write_failed when the connection broke.
  bool wait_for_notification(std::chrono::milliseconds timeout);
  const std::string& redacted_url() const noexcept { return redacted_url_; }

 private:
  bool drain_notifications();
  pg_conn* conn_ = nullptr;
  std::string redacted_url_;
};

}  // namespace weft::store::detail
