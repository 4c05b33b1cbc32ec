// SPDX-License-Identifier: MIT
// SqliteStore::get: a checkpoint's values are its nearest snapshot on the parent chain with the
// deltas of the checkpoints after it folded in order, in a fixed number of queries (no
// per-checkpoint query), see store/checkpoint_format.md "Loading". ::list is in list.cpp.
#include "store/sqlite_store.hpp"

#include "store/detail/codec.hpp"
#include "store/detail/queries.hpp"
#include "store/detail/store_impl.hpp"

#include <sqlite3.h>

#include <boost/json/monotonic_resource.hpp>

#include <algorithm>
#include <limits>

namespace weft::store::detail {

// One statement: the requested (or latest) row, then its parents until a snapshot. Ids sort in
// creation order, so a parent is always older: the walk stops at a parent that is not (a damaged
// or forged chain, possibly a cycle) and fold() reports that row instead of looping.
const char kLoadChainSql[] =
    "WITH RECURSIVE chain(id, parent, snap, depth) AS ("
    "  SELECT checkpoint_id, parent_id, snapshot IS NOT NULL, 0 FROM checkpoints"
    "   WHERE thread_id = ?1 AND ns = ?2 AND checkpoint_id = CASE WHEN ?3 = '' THEN"
    "     (SELECT max(checkpoint_id) FROM checkpoints WHERE thread_id = ?1 AND ns = ?2) ELSE ?3 END"
    "  UNION ALL"
    "  SELECT c.checkpoint_id, c.parent_id, c.snapshot IS NOT NULL, chain.depth + 1"
    "    FROM chain JOIN checkpoints c"
    "      ON c.thread_id = ?1 AND c.ns = ?2 AND c.checkpoint_id = chain.parent"
    "   WHERE NOT chain.snap AND chain.parent <> '' AND chain.parent < chain.id)"
    "SELECT " WEFT_CHECKPOINT_COLUMNS
    "  FROM chain JOIN checkpoints c ON c.thread_id = ?1 AND c.ns = ?2 AND c.checkpoint_id = chain.id"
    " ORDER BY chain.depth";

const char kChainScanLatestSql[] = "SELECT " WEFT_CHECKPOINT_COLUMNS
                                   " FROM checkpoints c WHERE c.thread_id = ?1 AND c.ns = ?2"
                                   " ORDER BY c.checkpoint_id DESC";
const char kChainScanSql[] = "SELECT " WEFT_CHECKPOINT_COLUMNS
                             " FROM checkpoints c WHERE c.thread_id = ?1 AND c.ns = ?2"
                             " AND c.checkpoint_id <= ?3 ORDER BY c.checkpoint_id DESC";

const char kLoadWritesSql[] =
    "SELECT task_id, task_name, writes FROM writes"
    " WHERE thread_id = ?1 AND ns = ?2 AND checkpoint_id = ?3 ORDER BY task_id";

namespace {

// The arena's first block; later ones double (a 200 KB chain takes about seven). Sizing it from
// the head row's chain_bytes / base_bytes was tried: the three more columns cost every row of
// the scan more than the fewer blocks saved.
constexpr std::size_t kArenaFirstBlock = 8192;
// Rows reserved for a chain at first (the vector doubles past it).
constexpr std::size_t kChainRowsReserved = 64;

std::string_view text_of(const SQLite::Column& column) {
  return {column.getText(), static_cast<std::size_t>(column.getBytes())};
}

std::string_view view(const boost::json::string& s) { return {s.data(), s.size()}; }

// Reads the fixed columns of the chain's head row (WEFT_CHECKPOINT_COLUMNS order).
CheckpointRecord head_record(SQLite::Statement& q, const std::string& thread_id, const std::string& ns) {
  CheckpointRecord record;
  record.thread_id = thread_id;
  record.ns = ns;
  record.id = q.getColumn(0).getString();
  record.parent_id = q.getColumn(1).getString();
  record.step = q.getColumn(2).getInt64();
  record.source = parse_checkpoint_source(text_of(q.getColumn(3))).value_or(CheckpointSource::loop);
  record.created_at_ms = q.getColumn(4).getInt64();
  return record;
}

}  // namespace

// Collects the chain of `head_id` (requested row first, nearest snapshot last) from a statement
// returning WEFT_CHECKPOINT_COLUMNS; rows not on the chain (other branches) are skipped. Returns
// false when more than `max_skipped` rows were skipped (the caller then walks the chain by parent
// links instead). The JSON columns are parsed straight from SQLite's buffers, and only as far as
// needed: `metadata` and `next` until a row holds them (the head's texts, resolved through
// same-as-parent markers), `deltas` except of a non-head snapshot row (its snapshot holds them).
bool SqliteStoreImpl::read_chain(SQLite::Statement& q, const std::string& thread_id, const std::string& ns,
                                 std::string_view head_id, std::size_t max_skipped, LoadedChain& out) {
  std::string expected(head_id);
  std::size_t skipped = 0;
  boost::json::parser parser;
  while (q.executeStep()) {
    const std::string_view id = text_of(q.getColumn(0));
    const bool latest_head = expected.empty() && out.rows.empty();  // the scan's first row
    if (!latest_head && id != expected) {
      // Descending ids: a smaller id means the row looked for is not stored (the requested one:
      // none; a parent: the fold reports the broken chain). A greater one is another branch's.
      if (out.rows.empty() || id < expected) break;
      if (++skipped > max_skipped) return false;
      continue;
    }
    if (out.rows.empty()) {
      out.head = head_record(q, thread_id, ns);
      // Every value parsed here lands in one arena (no allocation per node, one release): the
      // fold moves the chain's values into the snapshot's state without copying, since a move
      // between values of the same storage is a pointer swap; the caller gets the state in it.
      out.storage = boost::json::make_shared_resource<boost::json::monotonic_resource>(kArenaFirstBlock);
      out.rows.reserve(kChainRowsReserved);
    }
    // Built in the arena as they are: a value or string assigned to keeps its own storage and
    // would copy one of another.
    ChainRow& row = out.rows.emplace_back(
        ChainRow{boost::json::string(id, out.storage), boost::json::value(out.storage), std::nullopt});
    const RowRef where{path_, "checkpoints", thread_id, view(row.id), ""};
    auto at = [&](std::string_view column) {
      RowRef r = where;
      r.column = column;
      return r;
    };
    if (!out.metadata) {
      const std::string_view text = text_of(q.getColumn(5));
      if (text != kSameAsParent) out.metadata = std::string(text);
    }
    if (!out.next) {
      const std::string_view text = text_of(q.getColumn(6));
      if (text != kSameAsParent) out.next = std::string(text);
    }
    const bool is_snapshot = !q.getColumn(8).isNull();
    if (!is_snapshot || out.rows.size() == 1)
      row.deltas = parse_json(text_of(q.getColumn(7)), at("deltas"), parser, out.storage);
    if (is_snapshot) {
      boost::json::value v = parse_json(text_of(q.getColumn(8)), at("snapshot"), parser, out.storage);
      if (!v.is_object()) throw_bad_record(at("snapshot"), "expected a JSON object");
      row.snapshot = std::move(v.get_object());
    }
    const std::string_view parent = text_of(q.getColumn(1));
    const bool stop = is_snapshot || parent.empty() || parent >= view(row.id);
    expected.assign(parent);
    if (stop) break;  // the base, or a chain that cannot go on (folding reports it)
  }
  out.base_parent_id = std::move(expected);
  return true;
}

std::optional<CheckpointTuple> SqliteStoreImpl::load_locked(const std::string& thread_id, const std::string& ns,
                                                            const std::string& checkpoint_id, bool may_keep) {
  // The chain is read by one descending scan of the (thread, ns) rows from the requested id: on
  // an unbranched thread (the common case) the chain is exactly those rows, read in index order
  // with no per-row lookups. A branched thread may interleave other branches' rows; past
  // kMaxSkippedRows of those, the chain is walked by parent links instead.
  constexpr std::size_t kMaxSkippedRows = 64;
  const auto versions = db_versions();
  const LoadedCheckpoint* last = reusable(thread_id, ns, checkpoint_id, versions);
  if (last && last->values) {
    process_counters().reused.fetch_add(1, std::memory_order_relaxed);
    CheckpointTuple out;
    out.record = last->record;
    out.values = *last->values;
    read_pending_writes(out);
    return out;
  }
  const bool decoded_before = last != nullptr;
  // Nothing changed since that load: a checkpoint that was the latest then still is.
  const bool latest = checkpoint_id.empty() || (last && last->latest);
  LoadedChain chain;
  bool complete = false;
  {
    Use q(db_->stmt(checkpoint_id.empty() ? kChainScanLatestSql : kChainScanSql));
    q->bindNoCopy(1, thread_id);
    q->bindNoCopy(2, ns);
    if (!checkpoint_id.empty()) q->bindNoCopy(3, checkpoint_id);
    complete = read_chain(*q, thread_id, ns, checkpoint_id, kMaxSkippedRows, chain);
  }
  if (!complete) {
    const std::string head = chain.head.id;
    chain = {};
    Use q(db_->stmt(kLoadChainSql));
    q->bindNoCopy(1, thread_id);
    q->bindNoCopy(2, ns);
    q->bindNoCopy(3, head);
    read_chain(*q, thread_id, ns, head, std::numeric_limits<std::size_t>::max(), chain);
  }
  if (chain.rows.empty()) return std::nullopt;
  process_counters().decoded.fetch_add(1, std::memory_order_relaxed);
  std::optional<CheckpointTuple> out = fold_chain(thread_id, ns, chain);
  // A first load hands its caller the decoded state and keeps none (a fresh process's one
  // get_state, a run's start): a copy would cost a fifth of the load. A checkpoint decoded a
  // second time is being read again and again (warm get_state calls): a copy is kept then, in
  // one arena (no allocation per node to copy in, none to free when a later load replaces it),
  // never changed, only copied from. Reset first: a move assignment between objects of
  // different arenas would copy into the old arena.
  std::optional<boost::json::object> kept;
  if (decoded_before && may_keep)
    kept.emplace(out->values, boost::json::make_shared_resource<boost::json::monotonic_resource>());
  last_loaded_.reset();
  last_loaded_.emplace(
      LoadedCheckpoint{thread_id, ns, versions.first, versions.second, latest, out->record, std::move(kept)});
  read_pending_writes(*out);
  return out;
}

ProcessCounters& process_counters() noexcept {
  static ProcessCounters counters;
  return counters;
}

std::pair<std::int64_t, std::int64_t> SqliteStoreImpl::db_versions() {
  Use q(db_->stmt("PRAGMA data_version"));
  q->executeStep();
  return {q->getColumn(0).getInt64(), static_cast<std::int64_t>(sqlite3_total_changes64(db_->raw().getHandle()))};
}

const LoadedCheckpoint* SqliteStoreImpl::reusable(const std::string& thread_id, const std::string& ns,
                                                  const std::string& id,
                                                  std::pair<std::int64_t, std::int64_t> versions) const {
  // Nothing changed since that load, so the latest checkpoint is still the one it read.
  if (!last_loaded_ || last_loaded_->data_version != versions.first || last_loaded_->total_changes != versions.second)
    return nullptr;
  if (last_loaded_->thread_id != thread_id || last_loaded_->ns != ns) return nullptr;
  if (id.empty() ? !last_loaded_->latest : id != last_loaded_->record.id) return nullptr;
  return &*last_loaded_;
}

void SqliteStoreImpl::read_pending_writes(CheckpointTuple& out) {
  Use w(db_->stmt(kLoadWritesSql));
  w->bindNoCopy(1, out.record.thread_id);
  w->bindNoCopy(2, out.record.ns);
  w->bindNoCopy(3, out.record.id);
  while (w->executeStep()) {
    out.pending_writes.push_back(decode_task_writes(path_, out.record.thread_id, out.record.ns, out.record.id,
                                                    w->getColumn(0).getString(), w->getColumn(1).getString(),
                                                    w->getColumn(2).getString()));
  }
}

std::optional<CheckpointTuple> SqliteStoreImpl::fold_chain(const std::string& thread_id, const std::string& /*ns*/,
                                                           LoadedChain& chain) {
  auto where = [&](const ChainRow& row, std::string_view column) {
    return RowRef{path_, "checkpoints", thread_id, view(row.id), column};
  };
  ChainRow& base = chain.rows.back();
  if (!base.snapshot) {
    const std::string& parent = chain.base_parent_id;
    if (!parent.empty() && parent >= view(base.id)) {
      throw_bad_record(where(base, "parent_id"), "parent checkpoint '" + parent +
                                                     "' does not sort before the checkpoint (ids grow, so the parent "
                                                     "chain is damaged, possibly a cycle)");
    }
    throw_bad_record(
        where(base, "parent_id"),
        "parent checkpoint '" + parent + "' is missing and the row has no snapshot, so its state cannot be rebuilt");
  }
  ChainRow& head_row = chain.rows.front();
  CheckpointRecord& head = chain.head;
  // The head's own deltas are part of its record; decoded before folding consumes them.
  head.deltas = decode_deltas(boost::json::value(head_row.deltas), where(head_row, "deltas"));
  if (!chain.metadata) throw_bad_record(where(head_row, "metadata"), "says 'same as parent' but no ancestor holds it");
  if (!chain.next) throw_bad_record(where(head_row, "next"), "says 'same as parent' but no ancestor holds it");
  head.metadata = parse_object(*chain.metadata, where(head_row, "metadata"));
  head.next = parse_object(*chain.next, where(head_row, "next"));

  // Fold from the snapshot towards the head in place: one state object for the whole chain.
  boost::json::object values = std::move(*base.snapshot);
  StateFolder folder;  // messages merged through an id index, not a scan per message
  for (auto it = chain.rows.rbegin() + 1; it != chain.rows.rend(); ++it)
    fold_deltas(values, std::move(it->deltas), where(*it, "deltas"), folder);
  // Constructed around the state, not assigned: it stays in the chain's arena (an assignment
  // into a default-constructed object would copy it to the heap).
  return CheckpointTuple{std::move(head), std::move(values), {}};
}

}  // namespace weft::store::detail

namespace weft {

using store::detail::DbLock;

SqliteStore::ProcessStats SqliteStore::process_stats() noexcept {
  auto& c = store::detail::process_counters();
  return ProcessStats{c.opened.load(std::memory_order_relaxed), c.decoded.load(std::memory_order_relaxed),
                      c.reused.load(std::memory_order_relaxed)};
}

std::optional<CheckpointTuple> SqliteStore::get(const std::string& thread_id, const std::string& ns,
                                                const std::string& checkpoint_id) {
  auto& impl = *impl_;
  impl.flush_checkpoints();
  try {
    DbLock lock(impl);
    return impl.load_locked(thread_id, ns, checkpoint_id);
  } catch (const SQLite::Exception& e) {
    store::detail::throw_sqlite(e, impl.path(),
                                "thread '" + thread_id + "': loading checkpoint '" +
                                    (checkpoint_id.empty() ? std::string("latest") : checkpoint_id) + "'");
  }
}

}  // namespace weft
