// SPDX-License-Identifier: MIT
#include "store/check.hpp"

#include "engine/checkpoint.hpp"
#include "store/detail/codec.hpp"
#include "store/detail/db.hpp"
#include "store/detail/schema.hpp"
#include "store/postgres/detail/check.hpp"
#include "store/postgres_store.hpp"

#include <filesystem>
#include <map>
#include <optional>

namespace weft::store {
namespace {

using detail::RowRef;
using detail::Use;

constexpr std::size_t kMaxProblems = 1000;

class Checker {
 public:
  explicit Checker(CheckReport& report) : report_(report) {}

  void problem(std::string where, std::string what) {
    if (report_.problems.size() < kMaxProblems) report_.problems.push_back({std::move(where), std::move(what)});
  }

  void run() {
    const std::string& path = report_.path;
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
      problem("file", "'" + path + "' does not exist");
      return;
    }
    try {
      detail::precheck_file(path);
    } catch (const Error& e) {
      problem("file", e.what());
      return;
    }
    std::optional<detail::Db> db;
    try {
      db.emplace(path, /*read_only=*/true, 2000);
      sqlite_integrity(*db);
      if (!report_.ok()) return;  // row-level checks on a damaged b-tree would only repeat it
      const int version = detail::read_schema_version(*db);
      report_.schema_version = version > 0 ? version : 0;
      if (version == 0) {
        problem("schema", "the database is empty (no Weft schema yet)");
        return;
      }
      if (version < 0) {
        problem("schema", "an SQLite database but not a Weft store (no weft_schema table)");
        return;
      }
      if (version != detail::kSchemaVersion) {
        problem("schema",
                "schema version " + std::to_string(version) + ", this build knows " +
                    std::to_string(detail::kSchemaVersion) +
                    (version > detail::kSchemaVersion ? " (use a newer Weft)" : " (open it once to migrate)"));
        return;
      }
      checkpoints(*db);
      writes(*db);
      threads(*db);
      effects(*db);
      node_cache(*db);
    } catch (const SQLite::Exception& e) {
      problem("file", std::string("SQLite: ") + e.what());
    } catch (const Error& e) {
      problem("file", e.what());
    }
  }

 private:
  void sqlite_integrity(detail::Db& db) {
    Use q(db.stmt("PRAGMA integrity_check(100)"));
    while (q->executeStep()) {
      std::string line = q->getColumn(0).getString();
      if (line != "ok") problem("sqlite", line);
    }
  }

  // One (thread, ns) history at a time, in id order, so every parent is folded before its children.
  void checkpoints(detail::Db& db) {
    Use q(
        db.stmt("SELECT thread_id, ns, checkpoint_id, parent_id, source, metadata, next, deltas, snapshot"
                " FROM checkpoints ORDER BY thread_id, ns, checkpoint_id"));
    std::string group;
    std::map<std::string, std::optional<boost::json::object>> values;  // nullopt: could not be rebuilt
    while (q->executeStep()) {
      ++report_.checkpoints;
      const std::string thread_id = q->getColumn(0).getString();
      const std::string ns = q->getColumn(1).getString();
      const std::string id = q->getColumn(2).getString();
      const std::string parent = q->getColumn(3).getString();
      const std::string key = thread_id + '\0' + ns;
      if (key != group) {
        group = key;
        values.clear();
      }
      const std::string where = "checkpoints thread '" + thread_id + "' ns '" + ns + "' id '" + id + "'";
      const RowRef ref{report_.path, "checkpoints", thread_id, id, ""};
      auto column_ref = [&](std::string_view column) {
        RowRef r = ref;
        r.column = column;
        return r;
      };
      std::optional<boost::json::object>& mine = values[id];
      try {
        if (!parse_checkpoint_source(q->getColumn(4).getString())) {
          problem(where, "unknown source '" + q->getColumn(4).getString() + "'");
        }
        // "=" (same as parent) is valid in a delta row whose parent is stored.
        for (int column : {5, 6}) {
          const std::string text = q->getColumn(column).getString();
          const std::string_view name = column == 5 ? "metadata" : "next";
          if (text == "=") {
            if (!q->getColumn(8).isNull() || parent.empty() || !values.contains(parent)) {
              problem(where,
                      std::string(name) + " says 'same as parent' but the row is a snapshot or its parent is missing");
            }
          } else {
            detail::parse_object(text, column_ref(name));
          }
        }
        std::vector<ChannelDelta> deltas = detail::decode_deltas(q->getColumn(7).getString(), column_ref("deltas"));
        if (!parent.empty() && parent >= id) {
          problem(where, "parent '" + parent + "' does not sort before the checkpoint (ids must grow)");
        }
        if (!q->getColumn(8).isNull()) {
          ++report_.snapshots;
          mine = detail::parse_object(q->getColumn(8).getString(), column_ref("snapshot"));
          continue;
        }
        auto found = parent.empty() ? values.end() : values.find(parent);
        if (found == values.end()) {
          problem(where, parent.empty() ? "first checkpoint of its chain has no snapshot"
                                        : "parent '" + parent + "' is missing and the row has no snapshot");
          continue;
        }
        if (!found->second) continue;  // the parent's problem is already reported
        boost::json::object folded = *found->second;
        detail::fold_deltas(folded, deltas, column_ref("deltas"));
        mine = std::move(folded);
      } catch (const Error& e) {
        problem(where, e.what());
      }
    }
  }

  void writes(detail::Db& db) {
    Use q(
        db.stmt("SELECT w.thread_id, w.ns, w.checkpoint_id, w.task_id, w.writes,"
                " EXISTS (SELECT 1 FROM checkpoints c WHERE c.thread_id = w.thread_id AND c.ns = w.ns"
                "         AND c.checkpoint_id = w.checkpoint_id)"
                " FROM writes w"));
    while (q->executeStep()) {
      ++report_.writes;
      const std::string thread_id = q->getColumn(0).getString();
      const std::string row_id = q->getColumn(2).getString() + "/" + q->getColumn(3).getString();
      const std::string where = "writes thread '" + thread_id + "' ns '" + q->getColumn(1).getString() + "' " + row_id;
      try {
        detail::decode_writes(q->getColumn(4).getString(), {report_.path, "writes", thread_id, row_id, "writes"});
      } catch (const Error& e) {
        problem(where, e.what());
      }
      if (q->getColumn(5).getInt() == 0) problem(where, "saved against a checkpoint that is not stored");
    }
  }

  void threads(detail::Db& db) {
    Use q(db.stmt("SELECT thread_id, status, metadata FROM threads"));
    while (q->executeStep()) {
      ++report_.threads;
      const std::string thread_id = q->getColumn(0).getString();
      const std::string status = q->getColumn(1).getString();
      if (status != "running" && status != "interrupted" && status != "done" && status != "failed") {
        problem("threads '" + thread_id + "'", "unknown status '" + status + "'");
      }
      try {
        detail::parse_object(q->getColumn(2).getString(), {report_.path, "threads", thread_id, thread_id, "metadata"});
      } catch (const Error& e) {
        problem("threads '" + thread_id + "'", e.what());
      }
    }
  }

  void effects(detail::Db& db) {
    Use q(db.stmt("SELECT thread_id, key, state, result FROM effects"));
    while (q->executeStep()) {
      ++report_.effects;
      const std::string thread_id = q->getColumn(0).getString();
      const std::string key = q->getColumn(1).getString();
      const std::string where = "effects thread '" + thread_id + "' key '" + key + "'";
      const std::string state = q->getColumn(2).getString();
      if (state == "done") {
        try {
          detail::parse_json(q->getColumn(3).isNull() ? "null" : q->getColumn(3).getString(),
                             {report_.path, "effects", thread_id, key, "result"});
        } catch (const Error& e) {
          problem(where, e.what());
        }
      } else if (state != "started") {
        problem(where, "unknown state '" + state + "'");
      }
    }
  }

  void node_cache(detail::Db& db) {
    Use q(db.stmt("SELECT node, key, value FROM node_cache"));
    while (q->executeStep()) {
      ++report_.cache_entries;
      const std::string node = q->getColumn(0).getString();
      const std::string key = q->getColumn(1).getString();
      try {
        detail::parse_object(q->getColumn(2).getString(), {report_.path, "node_cache", "", key, "value"});
      } catch (const Error&) {
        problem("node_cache node '" + node + "' key '" + key + "'",
                "value is not a JSON object (delete the row, or clear the node's cache)");
      }
    }
  }

  CheckReport& report_;
};

}  // namespace

CheckReport check(const std::string& path) {
  if (is_postgres_url(path)) return postgres::detail::check_database(path);
  CheckReport report;
  report.path = path;
  Checker(report).run();
  return report;
}

std::string format(const CheckReport& report) {
  std::string out;
  for (const CheckProblem& p : report.problems) out += p.where + ": " + p.what + "\n";
  out += "'" + report.path +
         "': " + (report.ok() ? std::string("ok") : std::to_string(report.problems.size()) + " problem(s)") +
         "; schema " + std::to_string(report.schema_version) + ", " + std::to_string(report.threads) + " threads, " +
         std::to_string(report.checkpoints) + " checkpoints (" + std::to_string(report.snapshots) + " snapshots), " +
         std::to_string(report.writes) + " task writes, " + std::to_string(report.effects) + " effects, " +
         std::to_string(report.cache_entries) + " node cache entries\n";
  return out;
}

}  // namespace weft::store
