// SPDX-License-Identifier: MIT
#pragma once
// Private: the versioned PostgreSQL schema of a Weft database and its migrations.
//
// A database holds components, each with its own version line: "store" (checkpoints, writes,
// threads, leases, effects, node cache, memory items: store/postgres_format.md) and whatever
// other parts of Weft register (the run queue). Table weft_schema(component, version,
// applied_at_ms, description) records every applied migration. ensure_component() brings one
// component up to date in one transaction under an advisory lock, so processes opening a new
// database at once do not race. A database that has tables but no weft_schema belongs to another
// application (not_a_weft_store); a component at a version above what this build knows is
// schema_too_new. Either is refused before anything is written.

#include "store/postgres/detail/connection.hpp"

#include <span>
#include <string>
#include <string_view>

namespace weft::store::postgres::detail {

/// One step of a component's schema. Append-only: a released migration is never edited; a change
/// is a new entry with version + 1.
struct Migration {
  int version;
  std::string_view description;
  std::string_view sql;  ///< one or more statements, run in the migration's transaction
};

struct SchemaComponent {
  std::string_view name;                  ///< e.g. "store", "queue"
  std::span<const Migration> migrations;  ///< versions 1, 2, ... in order
  int version() const noexcept { return migrations.empty() ? 0 : migrations.back().version; }
};

/// The store's own component ("store"), at its current version.
const SchemaComponent& store_schema();

/// The component's applied version: 0 when the database is empty (no tables) or the component is
/// not installed yet; throws not_a_weft_store when tables exist but weft_schema does not.
int read_component_version(Connection& connection, std::string_view component);

/// Checks (and unless read_only, migrates) `component`. Throws weft::Error: not_a_weft_store,
/// schema_too_new, open_failed (read-only and not current), postgres.
void ensure_component(Connection& connection, const SchemaComponent& component, bool read_only = false);

}  // namespace weft::store::postgres::detail
