// SPDX-License-Identifier: MIT
#pragma once
// Test helpers for the store suite: a unique temporary directory, record builders, raw SQL access.

#include "engine/checkpoint.hpp"
#include "store/sqlite_store.hpp"
#include "tests/support/temp_dir.hpp"

#include <SQLiteCpp/Database.h>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <string>
#include <unistd.h>

namespace weft::test {

/// Checkpoint ids that sort in creation order.
inline std::string cid(int n) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "cp-%08d", n);
  return buffer;
}

inline ChannelDelta delta(std::string channel, DeltaOp op, boost::json::value value = nullptr) {
  return ChannelDelta{std::move(channel), op, std::move(value)};
}

inline CheckpointRecord record(std::string thread, std::string id, std::string parent, std::int64_t step,
                               std::vector<ChannelDelta> deltas) {
  CheckpointRecord r;
  r.thread_id = std::move(thread);
  r.id = std::move(id);
  r.parent_id = std::move(parent);
  r.step = step;
  r.source = step < 0 ? CheckpointSource::input : CheckpointSource::loop;
  r.created_at_ms = 1'700'000'000'000 + step;
  r.metadata = boost::json::object{{"graph", "test_graph"}, {"step", step}};
  r.deltas = std::move(deltas);
  return r;
}

/// Applies the deltas to `values` (the full state the engine passes along) and puts the record.
inline void put(SqliteStore& store, boost::json::object& values, const CheckpointRecord& r,
                Durability durability = Durability::sync) {
  for (const ChannelDelta& d : r.deltas) apply_delta(values, d);
  store.put_checkpoint(r, values, durability);
}

/// A deterministic ~200-byte message (as the peer benchmark's).
inline boost::json::value message(int i) {
  std::string body = "step " + std::to_string(i) + ": ";
  while (body.size() < 150) body += "lorem ipsum dolor sit amet ";
  body.resize(150);
  char id[32];
  std::snprintf(id, sizeof id, "msg-%06d", i);
  return boost::json::object{{"id", id}, {"role", i % 2 ? "assistant" : "tool"}, {"content", body}};
}

/// Runs raw SQL on the file (another connection), for planting faults.
inline void raw_sql(const std::string& path, const std::string& sql) {
  SQLite::Database db(path, SQLite::OPEN_READWRITE, 5000);
  db.exec(sql);
}

}  // namespace weft::test
