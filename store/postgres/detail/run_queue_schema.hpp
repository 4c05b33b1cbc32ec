// SPDX-License-Identifier: MIT
#pragma once
// The run queue's schema in PostgreSQL (store/run_queue_format.md): created or migrated when a
// PostgresRunQueue opens, under an advisory lock so that workers starting together do not race.

#include "store/postgres/detail/pg_session.hpp"

namespace weft::store::detail {

/// The queue schema version this build writes.
inline constexpr int kRunQueueSchemaVersion = 1;

/// Creates the queue's tables when absent. Throws weft::Error schema_too_new when the database
/// holds a newer queue schema (nothing is written then), write_failed for PostgreSQL errors.
void migrate_run_queue(PgSession& session);

}  // namespace weft::store::detail
