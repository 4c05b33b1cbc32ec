// SPDX-License-Identifier: MIT
// LISTEN/NOTIFY waits on a blocking connection (notifications.hpp).

#include "store/postgres/detail/notifications.hpp"

#include "store/error.hpp"

#include <poll.h>

#include <string>

namespace weft::store::postgres::detail {
namespace {

bool drain(PGconn* conn) {
  bool any = false;
  while (PGnotify* n = PQnotifies(conn)) {
    any = true;
    PQfreemem(n);
  }
  return any;
}

[[noreturn]] void broken(const Connection& connection) {
  throw Error(error::postgres,
              "PostgreSQL at " + connection.redacted_url() + ": the connection broke while waiting for notifications");
}

}  // namespace

bool wait_for_notification(Connection& connection, std::chrono::milliseconds timeout) {
  PGconn* conn = connection.raw();
  if (drain(conn)) return true;
  pollfd fd{PQsocket(conn), POLLIN, 0};
  if (fd.fd < 0) broken(connection);
  const int ready = ::poll(&fd, 1, static_cast<int>(timeout.count()));
  if (ready <= 0) return false;  // timeout, or EINTR: the caller checks its stop flag and polls
  if (!PQconsumeInput(conn)) broken(connection);
  return drain(conn);
}

}  // namespace weft::store::postgres::detail
