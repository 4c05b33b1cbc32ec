// SPDX-License-Identifier: MIT
// weft submit, weft worker, weft runs: the durable run queue on PostgreSQL (store/run_queue.hpp).

#include "cli/detail/commands.hpp"
#include "cli/detail/thread_id.hpp"
#include "cli/detail/worker.hpp"
#include "cli/exit_code.hpp"
#include "cli/settings.hpp"
#include "cli/version.hpp"
#include "store/error.hpp"
#include "store/postgres_run_queue.hpp"

#include <boost/json/serialize.hpp>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <random>
#include <ostream>

namespace json = boost::json;

namespace weft::cli::detail {
namespace {

OptionSpec queue_option() {
  return {"queue", "URL",
          "the PostgreSQL database holding the run queue, postgresql://... (default $WEFT_QUEUE, else --db when it "
          "is a postgresql:// URL)"};
}

bool names_postgres(std::string_view text) {
  return text.starts_with("postgresql://") || text.starts_with("postgres://");
}

// --queue, $WEFT_QUEUE, or a PostgreSQL --db / $WEFT_DB.
std::string queue_url(const Invocation& inv) {
  std::optional<std::string> url = inv.args.get("queue");
  if (!url) url = inv.env("WEFT_QUEUE");
  if (!url) {
    auto db = inv.args.get("db");
    if (!db) db = inv.env("WEFT_DB");
    if (db && names_postgres(*db)) url = db;
  }
  if (!url) throw UsageError("the run queue needs a PostgreSQL database: give --queue postgresql://USER@HOST/DB");
  if (!names_postgres(*url)) throw UsageError("--queue (or $WEFT_QUEUE) is not a postgresql:// URL");
  return *url;
}

// A whole number of `option` in [min, max]. Throws UsageError.
long long whole_number(const std::string& option, const std::string& text, long long min, long long max) {
  long long value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value < min || value > max) {
    throw UsageError("--" + option + " '" + printable_text(text) + "' is not a whole number from " +
                     std::to_string(min) + " to " + std::to_string(max));
  }
  return value;
}

// Seconds (decimals allowed) of `option` in (0, max], as milliseconds.
std::chrono::milliseconds seconds_option(const Invocation& inv, const std::string& option,
                                         std::chrono::milliseconds fallback) {
  auto text = inv.args.get(option);
  if (!text) return fallback;
  double value = 0;
  const auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || ptr != text->data() + text->size() || !(value >= 0.01) || value > 86'400) {
    throw UsageError("--" + option + " '" + printable_text(*text) + "' is not a number of seconds from 0.01 to 86400");
  }
  return std::chrono::milliseconds(static_cast<long long>(value * 1000));
}

int submit(const Invocation& inv) {
  const std::string graph_name = inv.args.positional(0);
  const graphs::GraphDefinition* definition = inv.graphs.find(graph_name);
  if (!definition) {
    std::string names;
    for (const auto& d : inv.graphs.definitions()) names += (names.empty() ? "" : ", ") + d.name;
    throw UsageError("no graph named '" + printable_text(graph_name) + "'; the graphs are: " + names);
  }
  json::value given = nullptr;
  if (auto input = inv.args.get("input")) given = read_json_argument("input", *input);
  RunSubmission submission;
  try {
    submission.input = json::serialize(definition->make_input(given));
  } catch (const Error& e) {
    throw UsageError(e.what());
  }
  submission.graph = graph_name;
  submission.thread_id = inv.args.get_or("thread", "");
  validate_new_thread_id(submission.thread_id);
  // Many submits share a second: the default id gets more randomness than `weft run`'s.
  if (submission.thread_id.empty()) {
    std::random_device rd;
    char suffix[16];
    std::snprintf(suffix, sizeof suffix, "%08x", static_cast<unsigned>(rd()));
    submission.thread_id = new_thread_id(graph_name) + suffix;
  }
  if (auto p = inv.args.get("priority"))
    submission.priority = static_cast<int>(whole_number("priority", *p, -1000, 1000));
  if (auto m = inv.args.get("max-failures")) {
    submission.max_failures = static_cast<int>(whole_number("max-failures", *m, 1, 1000));
  }
  if (auto m = inv.args.get("max-attempts")) {
    submission.max_attempts = static_cast<int>(whole_number("max-attempts", *m, 1, 1000));
  }
  const std::string url = queue_url(inv);
  PostgresRunQueue queue(url);
  std::string run_id;
  try {
    run_id = queue.submit(submission);
  } catch (const Error& e) {
    if (e.code() != std::error_code(store::error::thread_busy)) throw;
    throw UsageError(e.what());
  }
  if (inv.args.has("json")) {
    json::object o{{"version", weft_version()},
                   {"run_id", run_id},
                   {"thread_id", utf8_safe(json::value(submission.thread_id))},
                   {"graph", graph_name}};
    inv.out << json::serialize(o) << "\n";
  } else {
    inv.out << run_id << "\n";
  }
  return kExitDone;
}

int worker(const Invocation& inv) {
  WorkerOptions options;
  options.queue_url = queue_url(inv);
  if (auto c = inv.args.get("concurrency"))
    options.concurrency = static_cast<int>(whole_number("concurrency", *c, 1, 256));
  options.lease = seconds_option(inv, "lease", options.lease);
  options.poll = seconds_option(inv, "poll", options.poll);
  options.drain = inv.args.has("drain");
  options.settings = resolve_settings(inv.args, inv.env);
  return run_worker(options, inv);
}

json::object to_json(const QueuedRun& r) {
  json::object o;
  o["run_id"] = r.run_id;
  o["status"] = to_string(r.status);
  o["graph"] = utf8_safe(json::value(r.graph));
  o["thread_id"] = utf8_safe(json::value(r.thread_id));
  o["priority"] = r.priority;
  o["attempts"] = r.attempts;
  o["failures"] = r.failures;
  o["max_failures"] = r.max_failures;
  o["max_attempts"] = r.max_attempts;
  o["error"] = utf8_safe(json::value(r.error));
  o["worker"] = utf8_safe(json::value(r.worker));
  o["created_at_ms"] = r.created_at_ms;
  o["updated_at_ms"] = r.updated_at_ms;
  return o;
}

int runs(const Invocation& inv) {
  std::optional<RunQueueStatus> status;
  if (auto s = inv.args.get("status")) {
    status = run_queue_status_from(*s);
    if (!status)
      throw UsageError("--status '" + printable_text(*s) + "' is not pending, running, done, failed or cancelled");
  }
  std::size_t limit = 50;
  if (auto l = inv.args.get("limit")) limit = static_cast<std::size_t>(whole_number("limit", *l, 1, 1'000'000));
  PostgresRunQueue queue(queue_url(inv));
  if (auto id = inv.args.get("cancel")) {
    if (!queue.cancel(*id))
      throw UsageError("no pending or running run '" + printable_text(*id) + "'; see 'weft runs'");
    inv.out << "cancelled " << printable_text(*id) << "\n";
    return kExitDone;
  }
  const auto rows = queue.runs(status, limit);
  if (inv.args.has("json")) {
    json::array a;
    for (const auto& r : rows) a.push_back(to_json(r));
    json::object o{{"version", weft_version()}, {"queue", queue.redacted_url()}, {"runs", std::move(a)}};
    inv.out << json::serialize(o) << "\n";
    return kExitDone;
  }
  if (rows.empty()) inv.err << "weft: the queue holds no run" << (status ? " with that status" : "") << "\n";
  for (const auto& r : rows) {
    inv.out << r.run_id << "  " << to_string(r.status) << "  " << printable_text(r.graph) << "  thread "
            << printable_text(r.thread_id) << "  priority " << r.priority << "  attempts " << r.attempts - r.handed_back
            << "/" << r.max_attempts << "  failures " << r.failures << "/" << r.max_failures;
    if (!r.error.empty()) inv.out << "  error: " << printable_text(r.error.substr(0, 300));
    inv.out << "\n";
  }
  return kExitDone;
}

}  // namespace

Command submit_command() {
  CommandSpec spec{"submit",
                   "Queue a run of a graph for 'weft worker' processes; prints its run id.",
                   {{"GRAPH", "the graph to run (see 'weft graphs')", true}},
                   {{"input", "JSON|@file", "the graph's input, validated here against its schema"},
                    {"thread", "ID", "the thread the run advances (default: a new GRAPH-DATE-TIME-XXXX thread)"},
                    {"priority", "N", "higher runs first, -1000 to 1000 (default 0)"},
                    {"max-failures", "N", "failed attempts before the run stops as failed (default 3)"},
                    {"max-attempts", "N",
                     "claims without finishing (failed, or the worker died) before the run stops as failed "
                     "(default max-failures + 3)"},
                    queue_option(),
                    db_option(),
                    json_option()},
                   "A thread has at most one pending or running run. Exit codes: 0 queued, 1 the database\n"
                   "failed, 2 usage (also: the thread already has a pending or running run).\n"
                   "Example: weft submit spam_triage --queue postgresql://weft@db/weft --priority 5"};
  return {std::move(spec), submit};
}

Command worker_command() {
  CommandSpec spec{"worker",
                   "Execute queued runs until stopped (SIGTERM: stop claiming, checkpoint, release, exit 0).",
                   {},
                   {{"concurrency", "N", "runs executed at once (default 1)"},
                    {"lease", "SECONDS", "a claim not renewed this long goes to another worker (default 30)"},
                    {"poll", "SECONDS", "how often an idle worker looks for expired claims (default 1)"},
                    {"drain", "", "exit once nothing is pending or running in the queue"},
                    queue_option()},
                   "Workers wake on LISTEN/NOTIFY when a run is queued, and claim with FOR UPDATE SKIP LOCKED:\n"
                   "any number of workers on any machines share one queue. A run whose worker died is claimed\n"
                   "again once its lease expires and continues from its thread's last checkpoint.\n"
                   "Exit codes: 0 stopped by a signal or drained, 1 this worker lost a run to another one (its\n"
                   "lease expired while it was paused: it writes nothing more and exits) or could not start."};
  // The worker's output is its log on stderr: no --json.
  for (auto& o : service_options()) {
    if (o.name != "json") spec.options.push_back(std::move(o));
  }
  return {std::move(spec), worker};
}

Command runs_command() {
  CommandSpec spec{"runs",
                   "List the run queue: status, attempts, failures and the last error of each run.",
                   {},
                   {{"status", "S", "only runs pending, running, done, failed or cancelled"},
                    {"limit", "N", "at most N runs, newest first (default 50)"},
                    {"cancel", "RUN", "cancel a pending or running run instead of listing"},
                    queue_option(),
                    db_option(),
                    json_option()},
                   ""};
  return {std::move(spec), runs};
}

}  // namespace weft::cli::detail
