// SPDX-License-Identifier: MIT
#pragma once
// Private: a thread as the run commands (run, resume, fork) find it in the database. `weft run`
// records the graph, its input and its settings in the thread's effect journal before it starts
// (committed at once whatever the durability), so a run that died before its first durable
// checkpoint is still a thread that `weft resume` can restart.

#include "cli/settings.hpp"
#include "cli/database.hpp"

#include <boost/json/object.hpp>

#include <memory>
#include <optional>
#include <string>

namespace weft::cli::detail {

/// What `weft run` records before it starts: {"graph", "input", "weft": settings}.
boost::json::object run_record(const std::string& graph, const boost::json::object& input, const Settings& settings);

/// The record of a run that started on this thread, if one did.
std::optional<boost::json::object> recorded_run(Database& store, const std::string& thread_id);

/// Commits `record` (run_record()) to the thread's journal and lists the thread as running.
void record_run(Database& store, const std::string& thread_id, const boost::json::object& record);

struct ThreadRecord {
  ThreadInfo info;
  boost::json::object recorded;  // the settings the thread was run with
  /// The run's input when it died before its first checkpoint: resume starts it again from it.
  std::optional<boost::json::object> restart_input;
};

/// Opens the database of an existing thread: the one store the command then runs with. Throws
/// UsageError when there is no database at settings.db_path.
std::shared_ptr<Database> open_thread_store(const Settings& settings);

/// Reads a thread's record (at `checkpoint`, "" = latest). Its latest checkpoint is loaded here
/// (for the recorded settings) and stays decoded in the store, so the get_state and the run start
/// that follow reuse it. Throws UsageError for an unknown thread or checkpoint.
ThreadRecord read_thread(Database& store, const Settings& settings, const std::string& thread_id,
                         const std::string& checkpoint = {});

}  // namespace weft::cli::detail
