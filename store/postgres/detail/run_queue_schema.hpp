// SPDX-License-Identifier: MIT
#pragma once
// Private: the run queue's schema component ("queue") in a Weft PostgreSQL database, migrated by
// the store's mechanism (schema.hpp) when a PostgresRunQueue opens. Tables: store/run_queue_format.md.

#include "store/postgres/detail/schema.hpp"

namespace weft::store::postgres::detail {

/// The component "queue": version 1 creates weft_runs and its indexes; version 2 adds the attempt
/// cap (max_attempts, handed_back).
const SchemaComponent& run_queue_schema();

}  // namespace weft::store::postgres::detail
