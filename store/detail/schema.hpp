// SPDX-License-Identifier: MIT
#pragma once
// Private: the SQLite schema of a Weft store, its version, and the migrations that bring an older
// file up to date. store/checkpoint_format.md documents every table and column.

#include "store/detail/db.hpp"

#include <string>

namespace weft::store::detail {

/// The schema version this build writes and understands.
inline constexpr int kSchemaVersion = 3;
/// PRAGMA application_id of a Weft store ("WEFT").
inline constexpr int kApplicationId = 0x57454654;

/// The file's schema version: 0 for an empty database (no tables), -1 for an SQLite database
/// without a weft_schema table but with other tables (not a Weft store).
int read_schema_version(Db& db);

/// Brings the schema to kSchemaVersion (creating it in an empty file), in one write transaction,
/// re-reading the version under the lock so two processes opening a new file do not race.
/// Throws weft::Error: not_a_weft_store, schema_too_new, open_failed (read-only and not current).
void ensure_schema(Db& db, const std::string& path, bool read_only);

}  // namespace weft::store::detail
