// SPDX-License-Identifier: MIT
// weft threads, weft history, weft state, weft check: reading a database.

#include "cli/detail/commands.hpp"
#include "cli/detail/thread_id.hpp"
#include "cli/exit_code.hpp"
#include "cli/progress.hpp"
#include "cli/runtime.hpp"
#include "cli/version.hpp"
#include "graphs/registry.hpp"
#include "store/check.hpp"
#include "store/sqlite_store.hpp"

#include <boost/json/serialize.hpp>

#include <ctime>
#include <filesystem>
#include <iomanip>
#include <sstream>

namespace json = boost::json;

namespace weft::cli::detail {
namespace {

std::string utc(std::int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

std::string pad(const std::string& s, std::size_t width) {
  return s.size() >= width ? s + " " : s + std::string(width - s.size(), ' ');
}

json::array names_json(const std::vector<std::string>& names) {
  json::array a;
  for (const auto& n : names) a.emplace_back(n);
  return a;
}

std::string joined(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s.empty() ? "-" : s;
}

json::object snapshot_json(const StateSnapshot& s, bool with_values) {
  json::object o;
  o["checkpoint_id"] = s.checkpoint_id;
  o["parent_id"] = s.parent_id;
  o["step"] = s.step;
  o["source"] = s.source;
  o["created_at_ms"] = s.created_at_ms;
  o["next"] = names_json(s.next);
  o["interrupts"] = weft::to_json(s.interrupts);
  if (with_values) o["values"] = s.values;
  return o;
}

// A thread recorded `running` that no live process advances (its run crashed or was killed) would
// read `running` forever: it is shown as `stale`, which `weft resume` continues.
std::string status_text(Database& store, const ThreadInfo& info) {
  if (info.status == ThreadStatus::running && !store.has_live_run(info.thread_id)) return "stale";
  return std::string(to_string(info.status));
}

// Calls `fn` with the thread's graph compiled on placeholder services (enough to read state; it
// never runs a node) and a RunConfig naming the thread.
template <class F>
int with_graph(const Invocation& inv, const std::string& thread_id, F fn) {
  Settings settings = resolve_settings(inv.args, inv.env);
  Runtime runtime(settings, inv.env);
  runtime.open_existing_store();
  auto info = runtime.store().thread(thread_id);
  if (!info) {
    throw UsageError("no thread '" + printable_text(thread_id) + "' in '" + Database::display_name(settings.db_path) +
                     "'; list them with 'weft threads'");
  }
  const graphs::GraphRegistry& registry = inv.graphs;
  CompileOptions options;
  options.checkpointer = runtime.checkpointer();
  CompiledGraph graph = registry.at(info->graph).build(runtime.offline_shapes(), std::move(options));
  RunConfig config;
  config.thread_id = thread_id;
  config.checkpointer = runtime.checkpointer();
  return fn(graph, config, settings, *info, status_text(runtime.store(), *info));
}

int threads(const Invocation& inv) {
  Settings settings = resolve_settings(inv.args, inv.env);
  Runtime runtime(settings, inv.env);
  runtime.open_existing_store();
  auto list = runtime.store().threads();
  if (settings.json) {
    json::array a;
    for (const auto& t : list) {
      json::object o;
      o["thread_id"] = t.thread_id;
      o["graph"] = t.graph;
      o["status"] = status_text(runtime.store(), t);
      o["created_at_ms"] = t.created_at_ms;
      o["updated_at_ms"] = t.updated_at_ms;
      o["latest_checkpoint_id"] = t.latest_checkpoint_id;
      o["metadata"] = t.metadata;
      a.push_back(std::move(o));
    }
    json::object result;
    result["version"] = weft_version();
    result["database"] = Database::display_name(settings.db_path);
    result["threads"] = std::move(a);
    inv.out << json::serialize(utf8_safe(std::move(result))) << "\n";
    return kExitDone;
  }
  if (list.empty()) {
    inv.out << "no threads in " << Database::display_name(settings.db_path)
            << "; start one with 'weft run spam_triage'\n";
    return kExitDone;
  }
  inv.out << pad("THREAD", 40) << pad("GRAPH", 15) << pad("STATUS", 12) << "UPDATED (UTC)\n";
  for (const auto& t : list) {
    inv.out << pad(printable_text(t.thread_id), 40) << pad(printable_text(t.graph), 15)
            << pad(status_text(runtime.store(), t), 12) << utc(t.updated_at_ms) << "\n";
  }
  return kExitDone;
}

int history(const Invocation& inv) {
  const std::string thread_id = inv.args.positional(0);
  return with_graph(inv, thread_id,
                    [&](const CompiledGraph& graph, const RunConfig& config, const Settings& settings,
                        const ThreadInfo& info, const std::string& status) {
                      std::optional<std::size_t> limit;
                      if (auto l = inv.args.get("limit")) {
                        try {
                          limit = static_cast<std::size_t>(std::stoul(*l));
                        } catch (const std::exception&) {
                          throw UsageError("--limit '" + *l + "' is not a number");
                        }
                      }
                      auto history = graph.get_state_history(config, limit);
                      if (settings.json) {
                        json::array a;
                        for (const auto& s : history) a.push_back(snapshot_json(s, false));
                        json::object result;
                        result["version"] = weft_version();
                        result["thread_id"] = thread_id;
                        result["graph"] = info.graph;
                        result["status"] = status;
                        result["checkpoints"] = std::move(a);
                        inv.out << json::serialize(utf8_safe(std::move(result))) << "\n";
                        return static_cast<int>(kExitDone);
                      }
                      inv.out << "thread " << printable_text(thread_id) << " (" << info.graph << ", " << status
                              << "), newest first:\n";
                      inv.out << pad("CHECKPOINT", 38) << pad("STEP", 6) << pad("SOURCE", 8) << pad("CREATED (UTC)", 21)
                              << "NEXT\n";
                      for (const auto& s : history) {
                        std::string next = joined(s.next);
                        if (!s.interrupts.empty()) next += " (waiting for a human)";
                        inv.out << pad(s.checkpoint_id, 38) << pad(std::to_string(s.step), 6) << pad(s.source, 8)
                                << pad(utc(s.created_at_ms), 21) << next << "\n";
                      }
                      return static_cast<int>(kExitDone);
                    });
}

int state(const Invocation& inv) {
  const std::string thread_id = inv.args.positional(0);
  return with_graph(inv, thread_id,
                    [&](const CompiledGraph& graph, RunConfig config, const Settings& settings, const ThreadInfo& info,
                        const std::string& status) {
                      config.checkpoint_id = inv.args.get_or("checkpoint", "");
                      auto snapshot = graph.get_state(config);
                      if (!snapshot)
                        throw UsageError("thread '" + thread_id + "' has no checkpoint '" + config.checkpoint_id + "'");
                      if (settings.json) {
                        json::object o = snapshot_json(*snapshot, true);
                        o["thread_id"] = thread_id;
                        o["graph"] = info.graph;
                        o["status"] = status;
                        o["version"] = weft_version();
                        inv.out << json::serialize(utf8_safe(std::move(o))) << "\n";
                        return static_cast<int>(kExitDone);
                      }
                      inv.out << "thread " << printable_text(thread_id) << " (" << info.graph << ", " << status << ")\n"
                              << "checkpoint " << snapshot->checkpoint_id << ", step " << snapshot->step << ", "
                              << snapshot->source << ", " << utc(snapshot->created_at_ms) << " UTC\n"
                              << "next: " << joined(snapshot->next) << "\n";
                      for (const auto& i : snapshot->interrupts) {
                        inv.out << "waiting for a human at " << i.node << ": "
                                << truncate(json::serialize(i.value), 300) << "\n";
                      }
                      inv.out << "values:\n";
                      for (const auto& [key, value] : snapshot->values) {
                        if (key == "summary" && value.is_string()) continue;
                        inv.out << "  " << std::string(key) << ": " << truncate(json::serialize(value), 300) << "\n";
                      }
                      if (auto* summary = snapshot->values.if_contains("summary"); summary && summary->is_string()) {
                        inv.out << "summary:\n" << std::string(summary->as_string()) << "\n";
                      }
                      return static_cast<int>(kExitDone);
                    });
}

int check(const Invocation& inv) {
  std::string path = inv.args.positional(0);
  if (path.empty()) path = resolve_settings(inv.args, inv.env).db_path;
  if (!Database::is_url(path) && !std::filesystem::exists(path)) throw UsageError("no database at '" + path + "'");
  store::CheckReport report = store::check(path);
  if (inv.args.has("json")) {
    json::object o;
    o["version"] = weft_version();
    o["path"] = report.path;
    o["ok"] = report.ok();
    o["schema_version"] = report.schema_version;
    o["threads"] = report.threads;
    o["checkpoints"] = report.checkpoints;
    o["effects"] = report.effects;
    o["node_cache_entries"] = report.cache_entries;
    json::array problems;
    for (const auto& p : report.problems) {
      json::object q;
      q["where"] = p.where;
      q["what"] = p.what;
      problems.push_back(std::move(q));
    }
    o["problems"] = std::move(problems);
    inv.out << json::serialize(o) << "\n";
  } else {
    inv.out << store::format(report);
    if (!report.ok()) inv.err << "weft: error: " << report.problems.size() << " problem(s) in '" << path << "'\n";
  }
  return report.ok() ? kExitDone : kExitFailed;
}

}  // namespace

Command threads_command() {
  return {{"threads",
           "List the threads of the database with their graph and status.",
           {},
           {db_option(), json_option()},
           ""},
          threads};
}

Command history_command() {
  return {{"history",
           "List a thread's checkpoints, newest first.",
           {{"THREAD", "the thread id", true}},
           {{"limit", "N", "at most N checkpoints"}, db_option(), json_option()},
           "A checkpoint id from here can be given to 'weft state --checkpoint' and 'weft fork --checkpoint'."},
          history};
}

Command state_command() {
  return {{"state",
           "Show a thread's state: values, what runs next, a pending question.",
           {{"THREAD", "the thread id", true}},
           {{"checkpoint", "ID", "an older checkpoint (default: the latest)"}, db_option(), json_option()},
           ""},
          state};
}

Command check_command() {
  return {{"check",
           "Verify a database's integrity (schema, checkpoint chains, JSON, journal).",
           {{"DB", "the database file (default ./weft.db)", false}},
           {json_option()},
           "Exit code 0 when the file is sound, 1 when problems were found (each is listed)."},
          check};
}

}  // namespace weft::cli::detail
