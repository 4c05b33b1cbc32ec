// SPDX-License-Identifier: MIT
// The run queue's blocking libpq session (pg_session.hpp).

#include "store/postgres/detail/pg_session.hpp"

#include "store/error.hpp"
#include "store/postgres_run_queue.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <memory>

namespace weft::store::detail {
namespace {

// PostgreSQL's error text, on one line, with the password of the URL never in it (libpq does not
// echo passwords, but a message may quote the connection string's host part: keep it redacted).
std::string one_line(const char* text) {
  std::string s = text ? text : "";
  for (char& c : s) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

struct ResultDeleter {
  void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

}  // namespace

PgSession::PgSession(const std::string& url) : redacted_url_(redact_postgres_url(url)) {
  // connect_timeout bounds an unreachable host; a URL that sets its own keeps it.
  std::string conninfo = url;
  if (url.find("connect_timeout") == std::string::npos) {
    conninfo += url.find('?') == std::string::npos ? "?connect_timeout=10" : "&connect_timeout=10";
  }
  conn_ = PQconnectdb(conninfo.c_str());
  if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
    std::string reason = conn_ ? one_line(PQerrorMessage(conn_)) : "out of memory";
    if (conn_) PQfinish(conn_);
    conn_ = nullptr;
    throw Error(error::open_failed, "cannot connect to the run queue's database " + redacted_url_ + ": " + reason +
                                        "; check the URL, the server and its credentials");
  }
}

PgSession::~PgSession() {
  if (conn_) PQfinish(conn_);
}

std::vector<PgRow> PgSession::exec(const std::string& sql, const std::vector<std::optional<std::string>>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  // Without parameters the simple protocol runs it: it also takes several statements (a migration).
  Result result(params.empty() ? PQexec(conn_, sql.c_str())
                               : PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                                              values.data(), nullptr, nullptr, 0));
  const ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    const char* state = result ? PQresultErrorField(result.get(), PG_DIAG_SQLSTATE) : nullptr;
    const std::string message = one_line(result ? PQresultErrorMessage(result.get()) : PQerrorMessage(conn_));
    if (state && std::string_view(state) == "23505") throw Error(error::thread_busy, message);
    throw Error(error::write_failed, "run queue (" + redacted_url_ + "): " + message);
  }
  std::vector<PgRow> rows;
  const int n = PQntuples(result.get());
  const int columns = PQnfields(result.get());
  rows.reserve(static_cast<std::size_t>(n));
  for (int r = 0; r < n; ++r) {
    PgRow row;
    row.reserve(static_cast<std::size_t>(columns));
    for (int c = 0; c < columns; ++c) {
      if (PQgetisnull(result.get(), r, c)) {
        row.emplace_back(std::nullopt);
      } else {
        row.emplace_back(
            std::string(PQgetvalue(result.get(), r, c), static_cast<std::size_t>(PQgetlength(result.get(), r, c))));
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

bool PgSession::drain_notifications() {
  bool any = false;
  while (PGnotify* n = PQnotifies(conn_)) {
    any = true;
    PQfreemem(n);
  }
  return any;
}

bool PgSession::wait_for_notification(std::chrono::milliseconds timeout) {
  if (drain_notifications()) return true;
  pollfd fd{PQsocket(conn_), POLLIN, 0};
  if (fd.fd < 0) throw Error(error::write_failed, "run queue (" + redacted_url_ + "): the connection is closed");
  const int ready = ::poll(&fd, 1, static_cast<int>(timeout.count()));
  if (ready <= 0) return false;  // timeout, or EINTR (a signal: the caller checks its stop flag)
  if (!PQconsumeInput(conn_)) {
    throw Error(error::write_failed, "run queue (" + redacted_url_ + "): " + one_line(PQerrorMessage(conn_)));
  }
  return drain_notifications();
}

}  // namespace weft::store::detail
