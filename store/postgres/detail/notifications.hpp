// SPDX-License-Identifier: MIT
#pragma once
// Private: waiting for LISTEN/NOTIFY notifications on a blocking Connection (the run queue's
// idle workers). A worker slot owns its thread, so it blocks in poll() on PQsocket.

#include "store/postgres/detail/connection.hpp"

#include <chrono>

namespace weft::store::postgres::detail {

/// Waits until a notification arrives on `connection` (which must have issued LISTEN) or
/// `timeout` passes, and drains all that arrived. Returns whether one did. A signal interrupting
/// the wait returns false. Throws weft::Error(store::error::postgres) when the connection broke.
bool wait_for_notification(Connection& connection, std::chrono::milliseconds timeout);

}  // namespace weft::store::postgres::detail
