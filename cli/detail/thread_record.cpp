// SPDX-License-Identifier: MIT
// A thread as the run commands find it in the database: the record `weft run` leaves in the
// effect journal before it starts, and what resume and fork read back (settings, graph, input).

#include "cli/detail/thread_record.hpp"

#include "cli/args.hpp"
#include "engine/effect_journal.hpp"

#include <filesystem>

namespace json = boost::json;

namespace weft::cli::detail {

namespace {

// The settings a thread was run with, as recorded in its latest checkpoint's metadata.
json::object recorded_settings(Database& store, const std::string& thread_id) {
  auto latest = store.get(thread_id, "");
  if (!latest) return {};
  if (auto* w = latest->record.metadata.if_contains("weft"); w && w->is_object()) return w->as_object();
  return {};
}

// What `weft run` records in the thread's effect journal before it starts, under this key: the
// graph, its input and the settings. The journal commits at once whatever the durability, so a
// run that died before its first durable checkpoint (--durability exit) is still a thread:
// `weft run --thread` refuses it, and `weft resume` restarts it from this input, with the journal
// (bound to each request) keeping what already happened from happening again or elsewhere.
constexpr const char* kRunRecordKey = "weft:run";

}  // namespace

json::object run_record(const std::string& graph, const json::object& input, const Settings& settings) {
  json::object record;
  record["graph"] = graph;
  record["input"] = input;
  record["weft"] = settings.to_json();
  return record;
}

// The record of a run that started on this thread, if one did.
std::optional<json::object> recorded_run(Database& store, const std::string& thread_id) {
  EffectEntry entry = store.find(thread_id, kRunRecordKey);
  if (entry.state != EffectState::done || !entry.result.is_object()) return std::nullopt;
  return entry.result.as_object();
}

void record_run(Database& store, const std::string& thread_id, const json::object& record) {
  store.begin_request(thread_id, kRunRecordKey, request_digest(record));
  store.finish(thread_id, kRunRecordKey, record);
  // Listed by 'weft threads' from the start, whatever the durability of its checkpoints.
  store.set_thread_status(thread_id, ThreadStatus::running, std::string(record.at("graph").as_string()), {});
}

// Opens the database of an existing thread: the one store the command then runs with.
std::shared_ptr<Database> open_thread_store(const Settings& settings) {
  if (!Database::is_url(settings.db_path) && !std::filesystem::exists(settings.db_path)) {
    throw UsageError("no database at '" + settings.db_path + "'; run 'weft run GRAPH' first or give --db PATH");
  }
  return Database::open(settings.db_path, Database::Mode::create);
}

// Reads a thread's record. Its latest checkpoint is loaded here (for the recorded settings) and
// stays decoded in the store, so the get_state and the run start that follow reuse it.
ThreadRecord read_thread(Database& store, const Settings& settings, const std::string& thread_id,
                         const std::string& checkpoint) {
  auto info = store.thread(thread_id);
  if (!info || info->latest_checkpoint_id.empty()) {
    auto run = checkpoint.empty() ? recorded_run(store, thread_id) : std::nullopt;
    if (!run) {
      throw UsageError("no thread '" + thread_id + "' in '" + Database::display_name(settings.db_path) +
                       "'; list them with 'weft threads'");
    }
    ThreadRecord record;
    record.info = info ? *info : ThreadInfo{};
    record.info.thread_id = thread_id;
    if (const auto* graph = run->if_contains("graph"); graph && graph->is_string()) {
      record.info.graph = std::string(graph->get_string());
    }
    if (const auto* weft = run->if_contains("weft"); weft && weft->is_object()) record.recorded = weft->get_object();
    const auto* input = run->if_contains("input");
    record.restart_input = input && input->is_object() ? input->get_object() : json::object();
    return record;
  }
  if (!checkpoint.empty() && !store.get(thread_id, "", checkpoint)) {
    throw UsageError("thread '" + thread_id + "' has no checkpoint '" + checkpoint +
                     "'; list them with 'weft history " + thread_id + "'");
  }
  return {*info, recorded_settings(store, thread_id), std::nullopt};
}

}  // namespace weft::cli::detail
