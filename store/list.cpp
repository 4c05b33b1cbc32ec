// SPDX-License-Identifier: MIT
// SqliteStore::list: a thread's history in two statements whatever its length (the checkpoints
// with the ancestors needed to fold their values, then all their pending writes), each row's
// values folded from its parent's as the rows come in id order. Single loads are in load.cpp.
#include "store/sqlite_store.hpp"

#include "store/detail/codec.hpp"
#include "store/detail/queries.hpp"
#include "store/detail/store_impl.hpp"

#include <algorithm>
#include <unordered_map>

namespace weft {
namespace {

using store::detail::RowRef;
using store::detail::Use;

struct Row {
  CheckpointRecord record;
  std::string metadata, next, deltas;
  std::optional<std::string> snapshot;
};

Row read_row(SQLite::Statement& q, const std::string& thread_id, const std::string& ns, int first = 0) {
  Row row;
  row.record.thread_id = thread_id;
  row.record.ns = ns;
  row.record.id = q.getColumn(first + 0).getString();
  row.record.parent_id = q.getColumn(first + 1).getString();
  row.record.step = q.getColumn(first + 2).getInt64();
  const std::string source = q.getColumn(first + 3).getString();
  row.record.source = parse_checkpoint_source(source).value_or(CheckpointSource::loop);
  row.record.created_at_ms = q.getColumn(first + 4).getInt64();
  row.metadata = q.getColumn(first + 5).getString();
  row.next = q.getColumn(first + 6).getString();
  row.deltas = q.getColumn(first + 7).getString();
  if (!q.getColumn(first + 8).isNull()) row.snapshot = q.getColumn(first + 8).getString();
  return row;
}

RowRef ref(const std::string& path, const Row& row, std::string_view column) {
  return RowRef{path, "checkpoints", row.record.thread_id, row.record.id, column};
}

bool same_as_parent(const std::string& text) { return text == store::detail::kSameAsParent; }

// Decodes metadata, next and deltas into the record (values are folded separately). `parent` is
// the already decoded parent row, needed when a column holds the same-as-parent marker.
void decode_record(const std::string& path, Row& row, const CheckpointRecord* parent) {
  auto missing = [&](std::string_view column) {
    store::detail::throw_bad_record(ref(path, row, column), "says 'same as parent' but the parent is not loaded");
  };
  if (same_as_parent(row.metadata)) {
    if (!parent) missing("metadata");
    row.record.metadata = parent->metadata;
  } else {
    row.record.metadata = store::detail::parse_object(row.metadata, ref(path, row, "metadata"));
  }
  if (same_as_parent(row.next)) {
    if (!parent) missing("next");
    row.record.next = parent->next;
  } else {
    row.record.next = store::detail::parse_object(row.next, ref(path, row, "next"));
  }
  row.record.deltas = store::detail::decode_deltas(row.deltas, ref(path, row, "deltas"));
}

// The values of `row` given its parent's (null when `row` is a snapshot).
boost::json::object fold(const std::string& path, Row& row, const boost::json::object* parent_values) {
  if (row.snapshot) return store::detail::parse_object(*row.snapshot, ref(path, row, "snapshot"));
  if (!parent_values) {
    if (!row.record.parent_id.empty() && row.record.parent_id >= row.record.id) {
      store::detail::throw_bad_record(ref(path, row, "parent_id"),
                                      "parent checkpoint '" + row.record.parent_id +
                                          "' does not sort before the checkpoint (ids grow, so the parent chain "
                                          "is damaged, possibly a cycle)");
    }
    store::detail::throw_bad_record(ref(path, row, "parent_id"),
                                    "parent checkpoint '" + row.record.parent_id +
                                        "' is missing and the row has no snapshot, so its state cannot be rebuilt");
  }
  boost::json::object values = *parent_values;
  store::detail::fold_deltas(values, row.record.deltas, ref(path, row, "deltas"));
  return values;
}
}  // namespace

}  // namespace weft

namespace weft {

using store::detail::DbLock;
using store::detail::decode_task_writes;

std::vector<CheckpointTuple> SqliteStore::list(const std::string& thread_id, const std::string& ns,
                                               const ListOptions& options) {
  auto& impl = *impl_;
  impl.flush_checkpoints();
  const std::int64_t limit = options.limit ? static_cast<std::int64_t>(*options.limit) : -1;
  try {
    DbLock lock(impl);
    std::vector<Row> rows;     // ascending id: every parent precedes its children
    std::vector<bool> wanted;  // rows to return (the others are ancestors needed for folding)
    if (limit < 0) {
      // Ancestors have smaller ids than their descendants, so "all ids below the bound" already
      // contains every chain (values and same-as-parent texts resolve within the result).
      Use q(impl.db().stmt("SELECT * FROM (SELECT " WEFT_CHECKPOINT_COLUMNS " FROM checkpoints c"
                           "  WHERE c.thread_id = ?1 AND c.ns = ?2 AND (?3 = '' OR c.checkpoint_id < ?3)"
                           "  ORDER BY c.checkpoint_id DESC LIMIT ?4) ORDER BY checkpoint_id"));
      q->bindNoCopy(1, thread_id);
      q->bindNoCopy(2, ns);
      q->bindNoCopy(3, options.before_id);
      q->bind(4, limit);
      while (q->executeStep()) rows.push_back(read_row(*q, thread_id, ns));
      wanted.assign(rows.size(), true);
    } else {
      // The newest `limit` rows plus their ancestors up to the nearest snapshots, in one statement
      // (ancestors are needed to fold values and to resolve same-as-parent texts).
      Use q(impl.db().stmt(
          "WITH RECURSIVE targets(id) AS ("
          "  SELECT checkpoint_id FROM checkpoints WHERE thread_id = ?1 AND ns = ?2"
          "     AND (?3 = '' OR checkpoint_id < ?3) ORDER BY checkpoint_id DESC LIMIT ?4),"
          " need(id, parent, snap) AS ("
          "  SELECT c.checkpoint_id, c.parent_id, c.snapshot IS NOT NULL FROM targets t JOIN checkpoints c"
          "      ON c.thread_id = ?1 AND c.ns = ?2 AND c.checkpoint_id = t.id"
          "  UNION"
          "  SELECT c.checkpoint_id, c.parent_id, c.snapshot IS NOT NULL FROM need JOIN checkpoints c"
          "      ON c.thread_id = ?1 AND c.ns = ?2 AND c.checkpoint_id = need.parent"
          "   WHERE NOT need.snap AND need.parent <> '')"
          "SELECT c.checkpoint_id IN (SELECT id FROM targets), " WEFT_CHECKPOINT_COLUMNS
          "  FROM checkpoints c WHERE c.thread_id = ?1 AND c.ns = ?2 AND c.checkpoint_id IN (SELECT id FROM need)"
          " ORDER BY c.checkpoint_id"));
      q->bindNoCopy(1, thread_id);
      q->bindNoCopy(2, ns);
      q->bindNoCopy(3, options.before_id);
      q->bind(4, limit);
      while (q->executeStep()) {
        wanted.push_back(q->getColumn(0).getInt() != 0);
        rows.push_back(read_row(*q, thread_id, ns, 1));
      }
    }
    if (rows.empty()) return {};

    std::vector<CheckpointTuple> out;
    std::unordered_map<std::string, std::size_t> index;  // checkpoint id -> position in `out`
    std::unordered_map<std::string, boost::json::object> ancestor_values;
    std::unordered_map<std::string, CheckpointRecord> ancestor_records;  // rows loaded only for folding
    out.reserve(rows.size());  // no reallocation: pointers into `out` stay valid below
    for (std::size_t i = 0; i < rows.size(); ++i) {
      Row& row = rows[i];
      const CheckpointRecord* parent_record = nullptr;
      if (auto at = index.find(row.record.parent_id); at != index.end())
        parent_record = &out[at->second].record;
      else if (auto anc = ancestor_records.find(row.record.parent_id); anc != ancestor_records.end())
        parent_record = &anc->second;
      decode_record(impl.path(), row, parent_record);
      CheckpointTuple tuple;
      if (options.with_values) {
        const boost::json::object* parent = nullptr;
        if (!row.snapshot) {
          if (auto at = index.find(row.record.parent_id); at != index.end())
            parent = &out[at->second].values;
          else if (auto anc = ancestor_values.find(row.record.parent_id); anc != ancestor_values.end())
            parent = &anc->second;
        }
        boost::json::object values = fold(impl.path(), row, parent);
        if (!wanted[i]) {
          ancestor_values.emplace(row.record.id, std::move(values));
          ancestor_records.emplace(row.record.id, std::move(row.record));
          continue;
        }
        tuple.values = std::move(values);
      } else if (!wanted[i]) {
        ancestor_records.emplace(row.record.id, std::move(row.record));
        continue;
      }
      tuple.record = std::move(row.record);
      index.emplace(tuple.record.id, out.size());
      out.push_back(std::move(tuple));
    }

    // All pending writes of the listed checkpoints in one more statement.
    if (!out.empty()) {
      Use w(
          impl.db().stmt("SELECT checkpoint_id, task_id, task_name, writes FROM writes"
                         " WHERE thread_id = ?1 AND ns = ?2 AND checkpoint_id >= ?3 AND checkpoint_id <= ?4"
                         " ORDER BY checkpoint_id, task_id"));
      w->bindNoCopy(1, thread_id);
      w->bindNoCopy(2, ns);
      w->bindNoCopy(3, out.front().record.id);
      w->bindNoCopy(4, out.back().record.id);
      while (w->executeStep()) {
        std::string checkpoint = w->getColumn(0).getString();
        auto at = index.find(checkpoint);
        if (at == index.end()) continue;  // an ancestor-only row inside the id range
        out[at->second].pending_writes.push_back(
            decode_task_writes(impl.path(), thread_id, ns, std::move(checkpoint), w->getColumn(1).getString(),
                               w->getColumn(2).getString(), w->getColumn(3).getString()));
      }
    }
    std::reverse(out.begin(), out.end());  // newest first
    return out;
  } catch (const SQLite::Exception& e) {
    store::detail::throw_sqlite(e, impl.path(), "thread '" + thread_id + "': listing checkpoints");
  }
}

}  // namespace weft
