// SPDX-License-Identifier: MIT
// PostgresStore's reads: a checkpoint (its chain down to the nearest snapshot, folded, plus its
// pending writes) in one round trip, and a thread's history in two.
#include "store/detail/codec.hpp"
#include "store/postgres/detail/store_impl.hpp"

#include <unordered_map>

namespace weft::store::postgres::detail {
namespace {

using store::detail::RowRef;

constexpr std::string_view kSameAsParent = "=";
constexpr const char* kColumns =
    "checkpoint_id, parent_id, step, source, created_at_ms, metadata, next, deltas, snapshot";

// $1 thread, $2 ns, $3 id ('' = latest). Rows of kind 0: the chain from the head down to the first
// snapshot (depth order); kind 1: the head's pending writes (task_id, task_name, writes).
constexpr const char* kLoadSql =
    "WITH RECURSIVE head AS (SELECT checkpoint_id FROM weft_checkpoints WHERE thread_id = $1 AND ns = $2"
    "   AND ($3 = '' OR checkpoint_id = $3) ORDER BY checkpoint_id DESC LIMIT 1),"
    " chain AS (SELECT c.checkpoint_id, c.parent_id, c.step, c.source, c.created_at_ms, c.metadata, c.next,"
    "     c.deltas, c.snapshot, 0 AS depth"
    "   FROM weft_checkpoints c JOIN head h ON c.thread_id = $1 AND c.ns = $2 AND c.checkpoint_id = h.checkpoint_id"
    "   UNION ALL"
    "   SELECT c.checkpoint_id, c.parent_id, c.step, c.source, c.created_at_ms, c.metadata, c.next, c.deltas,"
    "     c.snapshot, p.depth + 1"
    "   FROM chain p JOIN weft_checkpoints c ON c.thread_id = $1 AND c.ns = $2 AND c.checkpoint_id = p.parent_id"
    "   WHERE p.snapshot IS NULL AND c.checkpoint_id < p.checkpoint_id)"
    " SELECT 0 AS kind, depth, checkpoint_id, parent_id, step, source, created_at_ms, metadata, next, deltas, snapshot"
    "   FROM chain"
    " UNION ALL"
    " SELECT 1, 0, w.task_id, w.task_name, 0, '', 0, '', '', w.writes, NULL"
    "   FROM weft_writes w JOIN head h ON w.thread_id = $1 AND w.ns = $2 AND w.checkpoint_id = h.checkpoint_id"
    " ORDER BY 1, 2, 3";

/// One checkpoint row as read (column offset `at`: checkpoint_id, parent_id, step, source,
/// created_at_ms, metadata, next, deltas, snapshot).
struct Row {
  CheckpointRecord record;
  std::string metadata, next, deltas;
  std::optional<std::string> snapshot;
};

Row read_row(const Result& r, int i, int at, const std::string& thread_id, const std::string& ns,
             const std::string& where_db) {
  Row row;
  row.record.thread_id = thread_id;
  row.record.ns = ns;
  row.record.id = std::string(r.text(i, at));
  row.record.parent_id = std::string(r.text(i, at + 1));
  row.record.step = r.int64(i, at + 2);
  auto source = parse_checkpoint_source(r.text(i, at + 3));
  if (!source) {
    store::detail::throw_bad_record(RowRef{where_db, "weft_checkpoints", thread_id, row.record.id, "source"},
                                    "unknown source '" + std::string(r.text(i, at + 3)) + "'");
  }
  row.record.source = *source;
  row.record.created_at_ms = r.int64(i, at + 4);
  row.metadata = std::string(r.text(i, at + 5));
  row.next = std::string(r.text(i, at + 6));
  row.deltas = std::string(r.text(i, at + 7));
  if (!r.is_null(i, at + 8)) row.snapshot = std::string(r.text(i, at + 8));
  return row;
}

/// Pending writes from row i: columns task_id, task_name and writes at `task`, task + 1, `text`.
TaskWrites read_writes(const Result& r, int i, int task, int text, const CheckpointRecord& of,
                       std::string checkpoint_id, const std::string& where_db) {
  TaskWrites w;
  w.thread_id = of.thread_id;
  w.ns = of.ns;
  w.checkpoint_id = std::move(checkpoint_id);
  w.task_id = std::string(r.text(i, task));
  w.task_name = std::string(r.text(i, task + 1));
  const std::string row_id = w.checkpoint_id + "/" + w.task_id;
  w.writes =
      store::detail::decode_writes(r.text(i, text), RowRef{where_db, "weft_writes", of.thread_id, row_id, "writes"});
  return w;
}

}  // namespace

boost::asio::awaitable<std::optional<CheckpointTuple>> PostgresStoreImpl::get(const std::string& thread_id,
                                                                              const std::string& ns,
                                                                              const std::string& checkpoint_id) {
  auto connection = co_await pool_->async_acquire();
  Result r = co_await connection->async_exec(kLoadSql, Params().add(thread_id).add(ns).add(checkpoint_id));
  std::vector<Row> chain;
  int i = 0;
  for (; i < r.rows() && r.text(i, 0) == "0"; ++i) chain.push_back(read_row(r, i, 2, thread_id, ns, redacted_url_));
  if (chain.empty()) co_return std::nullopt;
  auto where = [&](const Row& row, std::string_view column) {
    return RowRef{redacted_url_, "weft_checkpoints", thread_id, row.record.id, column};
  };
  Row& base = chain.back();
  if (!base.snapshot) {
    store::detail::throw_bad_record(where(base, "parent_id"),
                                    "parent checkpoint '" + base.record.parent_id +
                                        "' is missing (or does not sort before it) and the row has no snapshot, so "
                                        "its state cannot be rebuilt");
  }
  Row& head = chain.front();
  const std::string* metadata = nullptr;
  const std::string* next = nullptr;
  for (const Row& row : chain) {
    if (!metadata && row.metadata != kSameAsParent) metadata = &row.metadata;
    if (!next && row.next != kSameAsParent) next = &row.next;
  }
  if (!metadata)
    store::detail::throw_bad_record(where(head, "metadata"), "says 'same as parent' but no ancestor holds it");
  if (!next) store::detail::throw_bad_record(where(head, "next"), "says 'same as parent' but no ancestor holds it");
  CheckpointTuple out;
  out.record = std::move(head.record);
  out.record.metadata = store::detail::parse_object(*metadata, where(head, "metadata"));
  out.record.next = store::detail::parse_object(*next, where(head, "next"));
  out.record.deltas = store::detail::decode_deltas(head.deltas, where(head, "deltas"));
  out.values = store::detail::parse_object(*base.snapshot, where(base, "snapshot"));
  StateFolder folder;
  boost::json::parser parser;
  for (auto it = chain.rbegin() + 1; it != chain.rend(); ++it) {
    RowRef at = where(*it, "deltas");
    store::detail::fold_deltas(out.values, store::detail::parse_json(it->deltas, at, parser), at, folder);
  }
  for (; i < r.rows(); ++i)
    out.pending_writes.push_back(read_writes(r, i, 2, 9, out.record, out.record.id, redacted_url_));
  co_return out;
}

boost::asio::awaitable<std::vector<CheckpointTuple>> PostgresStoreImpl::list(const std::string& thread_id,
                                                                             const std::string& ns,
                                                                             const ListOptions& options) {
  auto connection = co_await pool_->async_acquire();
  // Ancestors sort before their descendants, so every chain lies within "all ids below the bound".
  Result rows = co_await connection->async_exec(
      std::string("SELECT ") + kColumns +
          " FROM weft_checkpoints WHERE thread_id = $1 AND ns = $2 AND ($3 = '' OR checkpoint_id < $3)"
          " ORDER BY checkpoint_id",
      Params().add(thread_id).add(ns).add(options.before_id));
  Result writes = co_await connection->async_exec(
      "SELECT checkpoint_id, task_id, task_name, writes FROM weft_writes WHERE thread_id = $1 AND ns = $2"
      " AND ($3 = '' OR checkpoint_id < $3) ORDER BY checkpoint_id, task_id",
      Params().add(thread_id).add(ns).add(options.before_id));
  std::unordered_map<std::string, boost::json::object> values_of;
  std::unordered_map<std::string, std::pair<std::string, std::string>> texts_of;  // full metadata, next
  std::vector<CheckpointTuple> out;
  for (int i = 0; i < rows.rows(); ++i) {
    Row row = read_row(rows, i, 0, thread_id, ns, redacted_url_);
    const std::string id = row.record.id;  // row.record is moved out below
    auto where = [&](std::string_view column) {
      return RowRef{redacted_url_, "weft_checkpoints", thread_id, id, column};
    };
    auto parent_texts = texts_of.find(row.record.parent_id);
    auto resolve = [&](std::string& text, bool is_metadata) {
      if (text != kSameAsParent) return;
      if (parent_texts == texts_of.end())
        store::detail::throw_bad_record(where(is_metadata ? "metadata" : "next"),
                                        "says 'same as parent' but no ancestor holds it");
      text = is_metadata ? parent_texts->second.first : parent_texts->second.second;
    };
    resolve(row.metadata, true);
    resolve(row.next, false);
    CheckpointTuple t;
    t.record = std::move(row.record);
    t.record.metadata = store::detail::parse_object(row.metadata, where("metadata"));
    t.record.next = store::detail::parse_object(row.next, where("next"));
    t.record.deltas = store::detail::decode_deltas(row.deltas, where("deltas"));
    if (options.with_values) {
      if (row.snapshot) {
        t.values = store::detail::parse_object(*row.snapshot, where("snapshot"));
      } else {
        auto parent = values_of.find(t.record.parent_id);
        if (parent == values_of.end()) {
          store::detail::throw_bad_record(where("parent_id"), "parent checkpoint '" + t.record.parent_id +
                                                                  "' is missing and the row has no snapshot");
        }
        t.values = parent->second;
        std::vector<ChannelDelta> deltas = t.record.deltas;
        store::detail::fold_deltas(t.values, deltas, where("deltas"));
      }
      values_of[t.record.id] = t.values;
    }
    texts_of[t.record.id] = {std::move(row.metadata), std::move(row.next)};
    out.push_back(std::move(t));
  }
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t k = 0; k < out.size(); ++k) index[out[k].record.id] = k;
  for (int i = 0; i < writes.rows(); ++i) {
    auto found = index.find(std::string(writes.text(i, 0)));
    if (found == index.end()) continue;  // writes against a checkpoint not stored (yet)
    CheckpointTuple& t = out[found->second];
    t.pending_writes.push_back(read_writes(writes, i, 1, 3, t.record, t.record.id, redacted_url_));
  }
  std::reverse(out.begin(), out.end());  // newest first
  if (options.limit && out.size() > *options.limit) out.resize(*options.limit);
  co_return out;
}

}  // namespace weft::store::postgres::detail
