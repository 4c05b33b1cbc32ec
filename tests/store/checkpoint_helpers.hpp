// SPDX-License-Identifier: MIT
#pragma once
// Helpers the SqliteStore checkpoint tests share: a scalar read straight from the file (what a
// row holds on disk, beside what the store says), and a one-write TaskWrites.
#include "engine/checkpointer.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <boost/json/value.hpp>

#include <cstdint>
#include <string>

namespace weft::test::sqlite_checkpoints {

inline std::int64_t scalar(const std::string& path, const std::string& sql) {
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  SQLite::Statement q(db, sql);
  q.executeStep();
  return q.getColumn(0).getInt64();
}

inline TaskWrites task_writes(const std::string& thread, const std::string& checkpoint, const std::string& task,
                              boost::json::value value) {
  return TaskWrites{thread, "", checkpoint, task, "node_" + task, {ChannelWrite{"counter", std::move(value)}}};
}

}  // namespace weft::test::sqlite_checkpoints
