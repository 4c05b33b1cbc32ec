// SPDX-License-Identifier: MIT
// PostgresStore's writes: a checkpoint encoded as deltas (plus a snapshot by the policy of
// store/checkpoint_format.md), and task writes, each saved by one fenced statement: the lease
// check, the row, the consumption of the parent's writes and the thread row commit together.
#include "store/detail/codec.hpp"
#include "store/postgres/detail/store_impl.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>

namespace weft::store::postgres::detail {
namespace {

/// Stored in place of metadata/next equal to the parent row's (as in SQLite).
constexpr std::string_view kSameAsParent = "=";

std::string chain_key(const std::string& thread_id, const std::string& ns) {
  std::string key = thread_id;
  key.push_back('\0');
  return key + ns;
}

// The checkpoint statement: $1..$3 the fence, $4 ns, $5 id, $6 parent, $7 step, $8 source, $9
// created_at_ms, $10 metadata, $11 next, $12 deltas, $13 snapshot, $14..$16 chain bookkeeping, $17
// whether the parent's ordinary pending writes are consumed, $18 graph (for the thread row).
#define WEFT_PG_PUT_CHECKPOINT                                                                                      \
  WEFT_PG_FENCE                                                                                                     \
  ", cp AS (INSERT INTO weft_checkpoints (thread_id, ns, checkpoint_id, parent_id, step, source, created_at_ms,"    \
  "   metadata, next, deltas, snapshot, chain_len, chain_bytes, base_bytes)"                                        \
  "   SELECT $1, $4, $5, $6, $7::bigint, $8, $9::bigint, $10, $11, $12, $13, $14::bigint, $15::bigint, $16::bigint" \
  "   WHERE EXISTS (SELECT 1 FROM allowed)"                                                                         \
  "   ON CONFLICT (thread_id, ns, checkpoint_id) DO UPDATE SET parent_id = excluded.parent_id,"                     \
  "     step = excluded.step, source = excluded.source, created_at_ms = excluded.created_at_ms,"                    \
  "     metadata = excluded.metadata, next = excluded.next, deltas = excluded.deltas,"                              \
  "     snapshot = excluded.snapshot, chain_len = excluded.chain_len, chain_bytes = excluded.chain_bytes,"          \
  "     base_bytes = excluded.base_bytes RETURNING 1),"                                                             \
  " consumed AS (DELETE FROM weft_writes WHERE $17::boolean AND thread_id = $1 AND ns = $4 AND checkpoint_id = $6"  \
  "   AND NOT keep AND EXISTS (SELECT 1 FROM allowed))"

/// With the thread row (`INSERT ... ON CONFLICT DO NOTHING`): a run's first checkpoint, a fork, any
/// unfenced write.
constexpr const char* kPutCheckpointSql = WEFT_PG_PUT_CHECKPOINT
    ", thread AS (INSERT INTO weft_threads (thread_id, status, graph, created_at_ms, updated_at_ms, metadata)"
    "   SELECT $1, 'running', $18, $9::bigint, $9::bigint, '{}' WHERE EXISTS (SELECT 1 FROM allowed)"
    "   ON CONFLICT (thread_id) DO NOTHING)"
    " SELECT count(*) FROM cp";

/// Without it: the parent is the row this store wrote last for the chain under the same lease
/// epoch, so that statement ensured the thread row, and nothing can have deleted it since
/// (delete_thread removes the lease row too, which would fence this write out). No $18.
constexpr const char* kPutNextCheckpointSql = WEFT_PG_PUT_CHECKPOINT " SELECT count(*) FROM cp";

constexpr const char* kPutWritesSql = WEFT_PG_FENCE
    ", w AS (INSERT INTO weft_writes (thread_id, ns, checkpoint_id, task_id, task_name, writes, keep, created_at_ms)"
    "   SELECT $1, $4, $5, $6, $7, $8, $9::boolean, " WEFT_PG_NOW_MS
    " WHERE EXISTS (SELECT 1 FROM allowed)"
    "   ON CONFLICT (thread_id, ns, checkpoint_id, task_id) DO UPDATE SET task_name = excluded.task_name,"
    "     writes = excluded.writes, keep = excluded.keep, created_at_ms = excluded.created_at_ms RETURNING 1)"
    " SELECT count(*) FROM w";

}  // namespace

boost::asio::awaitable<void> PostgresStoreImpl::put_checkpoint(const CheckpointRecord& record,
                                                               const boost::json::object& values) {
  require_writable();
  std::string metadata = boost::json::serialize(record.metadata);
  std::string next = boost::json::serialize(record.next);
  std::string deltas = store::detail::encode_deltas(record.deltas);
  std::string graph;
  if (const auto* g = record.metadata.if_contains("graph"); g && g->is_string()) graph = std::string(g->get_string());

  auto connection = co_await pool_->async_acquire();
  const Fence fence_now = fence(record.thread_id);
  std::optional<ChainInfo> parent;
  if (!record.parent_id.empty()) {
    {
      std::lock_guard lock(chain_mutex_);
      auto found = last_chain_.find(chain_key(record.thread_id, record.ns));
      if (found != last_chain_.end() && found->second.id == record.parent_id) parent = found->second;
    }
    if (!parent) {  // a fork, or the first put since opening: ask the database
      Result r = co_await connection->async_exec_prepared(
          "SELECT chain_len, chain_bytes, base_bytes, metadata, next FROM weft_checkpoints"
          " WHERE thread_id = $1 AND ns = $2 AND checkpoint_id = $3",
          Params().add(record.thread_id).add(record.ns).add(record.parent_id));
      if (r.rows() == 1) {
        std::string m(r.text(0, 3)), n(r.text(0, 4));
        if (m == kSameAsParent) m.clear();
        if (n == kSameAsParent) n.clear();
        parent =
            ChainInfo{record.parent_id, r.int64(0, 0), r.int64(0, 1), r.int64(0, 2), std::move(m), std::move(n), {}};
      }
    }
  }
  // The thread row exists if the parent is this store's last write of the chain under this very lease.
  const bool thread_row_known = parent && fence_now.epoch && parent->written_at_epoch == fence_now.epoch;
  ChainInfo row{record.id, 0, 0, 0, metadata, next, fence_now.epoch};
  bool snapshot = !parent;
  if (parent) {
    row.chain_len = parent->chain_len + 1;
    row.chain_bytes = parent->chain_bytes + static_cast<std::int64_t>(deltas.size());
    row.base_bytes = parent->base_bytes;
    snapshot =
        row.chain_len >= options_.snapshot_max_steps ||
        (row.chain_len >= options_.snapshot_min_steps &&
         static_cast<double>(row.chain_bytes) >= options_.snapshot_bytes_ratio * static_cast<double>(row.base_bytes));
  }
  std::optional<std::string> snapshot_text;
  if (snapshot) {
    snapshot_text = boost::json::serialize(values);
    row.chain_len = 0;
    row.chain_bytes = 0;
    row.base_bytes = static_cast<std::int64_t>(snapshot_text->size());
  }
  std::string_view stored_metadata = metadata, stored_next = next;
  if (!snapshot && parent) {
    if (!parent->metadata.empty() && parent->metadata == metadata) stored_metadata = kSameAsParent;
    if (!parent->next.empty() && parent->next == next) stored_next = kSameAsParent;
  }
  const bool consumes =
      record.source == CheckpointSource::loop && !record.parent_id.empty() && !options_.keep_consumed_writes;
  Params p = fenced_params(fence_now, record.thread_id);
  p.add(record.ns)
      .add(record.id)
      .add(record.parent_id)
      .add(record.step)
      .add(to_string(record.source))
      .add(record.created_at_ms)
      .add(stored_metadata)
      .add(stored_next)
      .add(deltas)
      .add_nullable(snapshot_text)
      .add(row.chain_len)
      .add(row.chain_bytes)
      .add(row.base_bytes)
      .add(consumes ? "true" : "false");
  if (!thread_row_known) p.add(graph);
  Result r = co_await connection->async_exec_prepared(thread_row_known ? kPutNextCheckpointSql : kPutCheckpointSql,
                                                      std::move(p));
  if (r.int64(0, 0) == 0) throw_lease_lost(record.thread_id, "saving checkpoint '" + record.id + "'");
  std::lock_guard lock(chain_mutex_);
  last_chain_[chain_key(record.thread_id, record.ns)] = std::move(row);
}

boost::asio::awaitable<void> PostgresStoreImpl::put_writes(const TaskWrites& writes) {
  require_writable();
  const bool keep = std::any_of(writes.writes.begin(), writes.writes.end(), [](const ChannelWrite& w) {
    return w.channel == kErrorChannel || w.channel == kInterruptChannel || w.channel == kResumeChannel;
  });
  Params p = fenced_params(writes.thread_id);
  p.add(writes.ns)
      .add(writes.checkpoint_id)
      .add(writes.task_id)
      .add(writes.task_name)
      .add(store::detail::encode_writes(writes.writes))
      .add(keep ? "true" : "false");
  auto connection = co_await pool_->async_acquire();
  Result r = co_await connection->async_exec_prepared(kPutWritesSql, std::move(p));
  if (r.int64(0, 0) == 0) throw_lease_lost(writes.thread_id, "saving the writes of task '" + writes.task_id + "'");
}

}  // namespace weft::store::postgres::detail
