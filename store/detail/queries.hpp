// SPDX-License-Identifier: MIT
#pragma once
// Private: SQL of the hot read statements, shared so the store can prepare them when it opens
// (a fresh process's first load then costs no statement compilation). Defined in load.cpp.

// Columns every checkpoint query returns, in this order.
#define WEFT_CHECKPOINT_COLUMNS \
  "c.checkpoint_id, c.parent_id, c.step, c.source, c.created_at_ms, c.metadata, c.next, c.deltas, c.snapshot"

namespace weft::store::detail {

/// Params: ?1 thread, ?2 ns, ?3 checkpoint id ("" = latest). Rows: the chain, requested row first.
extern const char kLoadChainSql[];
/// Params: ?1 thread, ?2 ns (and ?3 the newest id to return). Rows: the (thread, ns)'s
/// checkpoints, newest first, in kLoadChainSql's columns.
extern const char kChainScanLatestSql[];
extern const char kChainScanSql[];
/// Params: ?1 thread, ?2 ns, ?3 checkpoint id. Rows: task_id, task_name, writes.
extern const char kLoadWritesSql[];

}  // namespace weft::store::detail
