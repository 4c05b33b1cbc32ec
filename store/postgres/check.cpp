// SPDX-License-Identifier: MIT
// store::check() for a PostgreSQL database (a `postgresql://` path): the schema is Weft's at a known
// version, and every (thread, ns) history folds — parents stored and sorting before their children,
// JSON columns decoding, deltas fitting their snapshot — through the store's own loader, opened
// read-only; thread statuses parse; every pending write belongs to a stored checkpoint. Nothing is
// written. The URL in the report is redacted.
#include "store/check.hpp"
#include "store/postgres/detail/check.hpp"
#include "store/postgres/detail/schema.hpp"
#include "store/postgres_store.hpp"

namespace weft::store::postgres::detail {

CheckReport check_database(const std::string& url) {
  CheckReport report;
  report.path = redact_url(url);
  auto problem = [&](std::string where, std::string what) {
    if (report.problems.size() < 100) report.problems.push_back({std::move(where), std::move(what)});
  };
  try {
    Connection c(url);
    report.schema_version = read_component_version(c, "store");
    if (report.schema_version == 0) {
      problem("schema", "no Weft store in this database (no weft_schema rows for 'store')");
      return report;
    }
    if (report.schema_version > store_schema().version()) {
      problem("schema", "store schema version " + std::to_string(report.schema_version) +
                            " is newer than this Weft understands (" + std::to_string(store_schema().version()) + ")");
      return report;
    }
    Result counts = c.exec(
        "SELECT (SELECT count(*) FROM weft_threads), (SELECT count(*) FROM weft_checkpoints),"
        " (SELECT count(*) FROM weft_checkpoints WHERE snapshot IS NOT NULL), (SELECT count(*) FROM weft_writes),"
        " (SELECT count(*) FROM weft_effects), (SELECT count(*) FROM weft_node_cache)");
    report.threads = static_cast<std::size_t>(counts.int64(0, 0));
    report.checkpoints = static_cast<std::size_t>(counts.int64(0, 1));
    report.snapshots = static_cast<std::size_t>(counts.int64(0, 2));
    report.writes = static_cast<std::size_t>(counts.int64(0, 3));
    report.effects = static_cast<std::size_t>(counts.int64(0, 4));
    report.cache_entries = static_cast<std::size_t>(counts.int64(0, 5));
    Result orphans = c.exec(
        "SELECT w.thread_id, w.ns, w.checkpoint_id, w.task_id FROM weft_writes w WHERE NOT EXISTS (SELECT 1 FROM "
        "weft_checkpoints k WHERE k.thread_id = w.thread_id AND k.ns = w.ns AND k.checkpoint_id = w.checkpoint_id)"
        " LIMIT 100");
    for (int i = 0; i < orphans.rows(); ++i) {
      problem("writes thread '" + std::string(orphans.text(i, 0)) + "' ns '" + std::string(orphans.text(i, 1)) +
                  "' checkpoint '" + std::string(orphans.text(i, 2)) + "'",
              "pending writes of task '" + std::string(orphans.text(i, 3)) + "' belong to no stored checkpoint");
    }
    PostgresOptions read_only;
    read_only.read_only = true;
    read_only.pool_size = 1;
    PostgresStore store(url, read_only);
    try {
      store.threads();
    } catch (const Error& e) {
      problem("threads", e.what());
    }
    Result chains = c.exec("SELECT DISTINCT thread_id, ns FROM weft_checkpoints ORDER BY 1, 2");
    for (int i = 0; i < chains.rows(); ++i) {
      const std::string thread_id(chains.text(i, 0)), ns(chains.text(i, 1));
      try {
        store.list(thread_id, ns);
      } catch (const Error& e) {
        problem("checkpoints thread '" + thread_id + "' ns '" + ns + "'", e.what());
      }
    }
  } catch (const Error& e) {
    problem("database", e.what());
  }
  return report;
}

}  // namespace weft::store::postgres::detail
