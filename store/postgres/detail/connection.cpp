// SPDX-License-Identifier: MIT
// One libpq connection: blocking and socket-awaiting query execution (connection.hpp).
#include "store/postgres/detail/connection.hpp"

#include "store/error.hpp"

#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <charconv>
#include <unistd.h>

namespace weft::store::postgres::detail {
namespace {

/// libpq's message without its trailing newline, on one line.
std::string one_line(const char* text) {
  std::string out = text ? text : "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  for (char& c : out) {
    if (c == '\n') c = ' ';
  }
  return out;
}

/// The first words of a statement, for error messages.
std::string_view statement_head(std::string_view sql) {
  while (!sql.empty() && (sql.front() == ' ' || sql.front() == '\n')) sql.remove_prefix(1);
  return sql.substr(0, std::min<std::size_t>(sql.find('\n'), 60));
}

}  // namespace

std::vector<const char*> Params::pointers() const {
  std::vector<const char*> out;
  out.reserve(values_.size());
  for (std::size_t i = 0; i < values_.size(); ++i) out.push_back(nulls_[i] ? nullptr : values_[i].c_str());
  return out;
}

std::int64_t Result::int64(int row, int column) const {
  std::string_view t = text(row, column);
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
  if (ec != std::errc{} || end != t.data() + t.size()) {
    throw Error(error::postgres, "PostgreSQL returned '" + std::string(t) + "' where a number was expected");
  }
  return value;
}

std::int64_t Result::affected() const {
  const char* n = result_ ? PQcmdTuples(result_.get()) : "";
  std::int64_t value = 0;
  std::from_chars(n, n + std::char_traits<char>::length(n), value);
  return value;
}

std::string redact_url(std::string_view url) {
  std::string out(url);
  std::size_t scheme = out.find("://");
  if (scheme != std::string::npos) {
    std::size_t start = scheme + 3;
    std::size_t end = out.find_first_of("/?", start);
    if (end == std::string::npos) end = out.size();
    std::size_t at = out.rfind('@', end);
    if (at != std::string::npos && at >= start) {
      std::size_t colon = out.find(':', start);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  // password=... as a query parameter or a key/value conninfo word
  for (std::size_t pos = out.find("password="); pos != std::string::npos; pos = out.find("password=", pos + 1)) {
    std::size_t value = pos + 9;
    std::size_t end = out.find_first_of("& ", value);
    if (end == std::string::npos) end = out.size();
    out.replace(value, end - value, "***");
  }
  return out;
}

Connection::Connection(const std::string& url, int connect_timeout_s) : redacted_url_(redact_url(url)) {
  std::string timeout = std::to_string(connect_timeout_s);
  // Earlier keywords are overridden by what the URL (expanded dbname) sets.
  const char* keys[] = {"connect_timeout", "application_name", "dbname", nullptr};
  const char* values[] = {timeout.c_str(), "weft", url.c_str(), nullptr};
  conn_ = PQconnectdbParams(keys, values, 1);
  if (conn_ == nullptr) throw Error(error::open_failed, "cannot connect to " + redacted_url_ + ": out of memory");
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string why = one_line(PQerrorMessage(conn_));
    PQfinish(conn_);
    conn_ = nullptr;
    throw Error(error::open_failed, "cannot connect to PostgreSQL at " + redacted_url_ + ": " + why);
  }
  PQsetnonblocking(conn_, 1);
  // Server notices ("relation ... already exists, skipping") are not errors: libpq would print
  // them on stderr, breaking the CLI's one-line messages.
  PQsetNoticeProcessor(
      conn_, [](void*, const char*) {}, nullptr);
}

Connection::~Connection() {
  if (conn_ != nullptr) PQfinish(conn_);
}

bool Connection::usable() const noexcept { return conn_ != nullptr && !broken_ && PQstatus(conn_) == CONNECTION_OK; }

bool Connection::in_transaction() const noexcept {
  PGTransactionStatusType s = PQtransactionStatus(conn_);
  return s == PQTRANS_INTRANS || s == PQTRANS_INERROR || s == PQTRANS_ACTIVE;
}

Result Connection::check(PGresult* raw, std::string_view sql) {
  Result result(raw);
  ExecStatusType status = raw ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return result;
  if (PQstatus(conn_) != CONNECTION_OK) broken_ = true;
  std::string why = one_line(raw ? PQresultErrorMessage(raw) : PQerrorMessage(conn_));
  const char* state = raw ? PQresultErrorField(raw, PG_DIAG_SQLSTATE) : nullptr;
  throw Error(error::postgres, "PostgreSQL at " + redacted_url_ + " failed '" + std::string(statement_head(sql)) +
                                   "': " + why + (state ? " (SQLSTATE " + std::string(state) + ")" : ""));
}

Result Connection::exec(std::string_view sql, const Params& params) {
  std::string text(sql);
  std::vector<const char*> values = params.pointers();
  PGresult* raw =
      PQexecParams(conn_, text.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr, nullptr, 0);
  return check(raw, sql);
}

void Connection::exec_script(std::string_view sql) {
  std::string text(sql);
  PGresult* last = nullptr;
  // PQexec returns the last statement's result; an error stops the script there.
  last = PQexec(conn_, text.c_str());
  check(last, sql);
}

boost::asio::awaitable<void> Connection::wait_socket(std::optional<boost::asio::posix::stream_descriptor>& socket,
                                                     bool for_write) {
  if (!socket) {
    int fd = ::dup(PQsocket(conn_));
    if (fd < 0) throw Error(error::postgres, "PostgreSQL at " + redacted_url_ + ": the connection has no socket");
    socket.emplace(co_await boost::asio::this_coro::executor, fd);
  }
  using boost::asio::posix::descriptor_base;
  co_await socket->async_wait(for_write ? descriptor_base::wait_write : descriptor_base::wait_read,
                              boost::asio::use_awaitable);
}

template <class Send>
boost::asio::awaitable<Result> Connection::round_trip(std::string_view sql, Send send) {
  broken_ = true;  // until the exchange completes: a cancelled or failed await leaves it unusable
  std::optional<boost::asio::posix::stream_descriptor> socket;
  if (send() == 0) {
    throw Error(error::postgres, "PostgreSQL at " + redacted_url_ + " refused '" + std::string(statement_head(sql)) +
                                     "': " + one_line(PQerrorMessage(conn_)));
  }
  for (int pending = PQflush(conn_); pending != 0; pending = PQflush(conn_)) {
    if (pending < 0) {
      throw Error(error::postgres, "PostgreSQL at " + redacted_url_ + ": " + one_line(PQerrorMessage(conn_)));
    }
    co_await wait_socket(socket, true);
    if (PQconsumeInput(conn_) == 0) {
      throw Error(error::postgres, "PostgreSQL at " + redacted_url_ + ": " + one_line(PQerrorMessage(conn_)));
    }
  }
  PGresult* first = nullptr;
  for (;;) {
    while (PQisBusy(conn_) != 0) {
      co_await wait_socket(socket, false);
      if (PQconsumeInput(conn_) == 0) {
        if (first) PQclear(first);
        throw Error(error::postgres, "PostgreSQL at " + redacted_url_ + ": " + one_line(PQerrorMessage(conn_)));
      }
    }
    PGresult* next = PQgetResult(conn_);
    if (next == nullptr) break;
    if (first == nullptr) {
      first = next;
    } else {
      PQclear(next);
    }
  }
  broken_ = false;
  co_return check(first, sql);
}

boost::asio::awaitable<Result> Connection::async_exec(std::string sql, Params params) {
  std::vector<const char*> values = params.pointers();
  co_return co_await round_trip(sql, [&] {
    return PQsendQueryParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                             nullptr, 0);
  });
}

boost::asio::awaitable<Result> Connection::async_exec_prepared(std::string_view sql, Params params) {
  auto found = prepared_.find(sql);
  if (found == prepared_.end()) {
    std::string name = "weft_" + std::to_string(prepared_.size() + 1);
    std::string text(sql);
    co_await round_trip(sql, [&] { return PQsendPrepare(conn_, name.c_str(), text.c_str(), 0, nullptr); });
    found = prepared_.emplace(std::move(text), std::move(name)).first;  // only once the server has it
  }
  const std::string& name = found->second;
  std::vector<const char*> values = params.pointers();
  co_return co_await round_trip(sql, [&] {
    return PQsendQueryPrepared(conn_, name.c_str(), static_cast<int>(values.size()), values.data(), nullptr, nullptr,
                               0);
  });
}

}  // namespace weft::store::postgres::detail
