// SPDX-License-Identifier: MIT
#pragma once
// Integrity check of a Weft store file (what `weft check` runs).

#include <cstddef>
#include <string>
#include <vector>

namespace weft::store {

struct CheckProblem {
  std::string where;  ///< "file", "schema", "checkpoints thread 't' ns '' id 'c'", ...
  std::string what;   ///< what is wrong, in words a user can act on
};

struct CheckReport {
  std::string path;
  int schema_version = 0;  ///< 0 when unknown
  std::size_t threads = 0, checkpoints = 0, snapshots = 0, writes = 0, effects = 0, cache_entries = 0;
  std::vector<CheckProblem> problems;  ///< empty when the file is sound
  bool ok() const noexcept { return problems.empty(); }
};

/// Verifies the store at `path` without modifying it: the file is an intact SQLite database
/// (header, PRAGMA integrity_check), the schema version is one this build knows, every checkpoint's
/// parent exists (or the row is a snapshot), parents precede children, every JSON column decodes,
/// every chain of deltas folds onto its snapshot, thread statuses and effect states are valid, and
/// every pending write belongs to a stored checkpoint. Problems are reported, never thrown; the
/// only exception is std::bad_alloc. Reads every row: cost is linear in the file's size, memory in
/// the largest thread's history. Thread safety: independent calls are safe concurrently.
/// A `postgresql://` URL checks that database instead (read-only; the report's path is the URL
/// with its password redacted): schema, every history folding, statuses, orphan writes.
CheckReport check(const std::string& path);

/// The report as text: one line per problem, then a summary line.
std::string format(const CheckReport& report);

}  // namespace weft::store
