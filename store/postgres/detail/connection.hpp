// SPDX-License-Identifier: MIT
#pragma once
// Private: one libpq connection. Queries run either blocking (for synchronous interfaces) or
// non-blocking: the query is sent with libpq's asynchronous API and the connection's socket
// (PQsocket) is awaited on the calling coroutine's executor, so a slow database suspends only
// the run that asked. Every parameter and result is text (the store's columns are TEXT/BIGINT).
// Errors: weft::Error (store::error::open_failed when connecting, store::error::postgres for a
// failed query, naming the SQLSTATE); messages never hold the password.

#include <libpq-fe.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace weft::store::postgres::detail {

/// Text parameters of one query ($1, $2, ...), NULL allowed.
class Params {
 public:
  Params& add(std::string_view text) {
    values_.emplace_back(text);
    nulls_.push_back(false);
    return *this;
  }
  Params& add(std::int64_t number) { return add(std::string_view(std::to_string(number))); }
  Params& add_nullable(const std::optional<std::string>& text) {
    return text ? add(std::string_view(*text)) : add_null();
  }
  Params& add_null() {
    values_.emplace_back();
    nulls_.push_back(true);
    return *this;
  }
  std::size_t size() const noexcept { return values_.size(); }
  /// Pointers for PQsendQueryParams, valid while this object lives unchanged.
  std::vector<const char*> pointers() const;

 private:
  std::vector<std::string> values_;
  std::vector<bool> nulls_;
};

/// A query's result (owns the PGresult).
class Result {
 public:
  Result() = default;
  explicit Result(PGresult* result) : result_(result, &PQclear) {}
  int rows() const noexcept { return result_ ? PQntuples(result_.get()) : 0; }
  bool is_null(int row, int column) const noexcept { return PQgetisnull(result_.get(), row, column) != 0; }
  std::string_view text(int row, int column) const noexcept {
    return {PQgetvalue(result_.get(), row, column), static_cast<std::size_t>(PQgetlength(result_.get(), row, column))};
  }
  std::int64_t int64(int row, int column) const;
  /// Rows changed by an INSERT/UPDATE/DELETE.
  std::int64_t affected() const;

 private:
  std::shared_ptr<PGresult> result_;
};

/// `url` with its password (userinfo or a password= parameter) replaced by "***": the only form
/// of a connection URL that messages and logs may show.
std::string redact_url(std::string_view url);

class Connection {
 public:
  /// Connects (blocking, at most connect_timeout_s seconds unless the URL sets connect_timeout).
  /// Throws weft::Error(store::error::open_failed) with one line: unreachable server, refused
  /// password, unknown database.
  explicit Connection(const std::string& url, int connect_timeout_s = 5);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// One statement, blocking. Throws weft::Error(store::error::postgres).
  Result exec(std::string_view sql, const Params& params = {});
  /// Several statements without parameters (a migration script), blocking.
  void exec_script(std::string_view sql);
  /// One statement, awaiting the socket on the caller's executor. If the awaiting coroutine is
  /// cancelled or anything fails mid-way, the connection is marked broken (a pool drops it).
  boost::asio::awaitable<Result> async_exec(std::string sql, Params params);
  /// async_exec for a fixed statement run often (a step's checkpoint, a load): the first call on
  /// this connection prepares it as a named statement (PQsendPrepare, one more round trip), every
  /// call executes that (PQsendQueryPrepared), so the server parses and plans it once per
  /// connection instead of once per call. A new connection starts with none prepared.
  boost::asio::awaitable<Result> async_exec_prepared(std::string_view sql, Params params);

  /// False once the connection failed or a query was abandoned mid-way: do not reuse it.
  bool usable() const noexcept;
  /// Whether a transaction is open (or failed) on the connection.
  bool in_transaction() const noexcept;
  PGconn* raw() const noexcept { return conn_; }
  const std::string& redacted_url() const noexcept { return redacted_url_; }

 private:
  /// Waits until the socket is readable or writable. `socket` is this query's dup of PQsocket on
  /// the awaiting executor (opened on first use, closed with the query: an executor may not outlive it).
  boost::asio::awaitable<void> wait_socket(std::optional<boost::asio::posix::stream_descriptor>& socket,
                                           bool for_write);
  /// Flushes what `send` queued and awaits the statement's result (the first one, if several).
  template <class Send>
  boost::asio::awaitable<Result> round_trip(std::string_view sql, Send send);
  Result check(PGresult* result, std::string_view sql);

  PGconn* conn_ = nullptr;
  std::string redacted_url_;
  bool broken_ = false;
  struct TextHash {
    using is_transparent = void;  // look statements up by string_view, without copying their text
    std::size_t operator()(std::string_view text) const noexcept { return std::hash<std::string_view>{}(text); }
  };
  std::unordered_map<std::string, std::string, TextHash, std::equal_to<>> prepared_;  // text -> name here
};

}  // namespace weft::store::postgres::detail
