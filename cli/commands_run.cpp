// SPDX-License-Identifier: MIT
// weft run, weft resume, weft fork: the commands that execute a graph.

#include "cli/detail/commands.hpp"
#include "cli/detail/thread_id.hpp"
#include "cli/detail/run_report.hpp"
#include "cli/detail/thread_record.hpp"
#include "cli/exit_code.hpp"
#include "cli/progress.hpp"
#include "cli/render_question.hpp"
#include "cli/run_control.hpp"
#include "cli/runtime.hpp"
#include "cli/terminal.hpp"
#include "cli/version.hpp"
#include "graphs/human_decision.hpp"
#include "graphs/registry.hpp"
#include "nodes/http/rate_limit_event.hpp"
#include "store/sqlite_store.hpp"

#include <boost/json/serialize.hpp>

#include <chrono>
#include <ctime>
#include <csignal>
#include <future>
#include <optional>
#include <random>
#include <stdexcept>
#include <stop_token>
#include <unistd.h>

namespace json = boost::json;

namespace weft::cli::detail {

OptionSpec db_option() { return {"db", "PATH", "the database (default ./weft.db, or $WEFT_DB)"}; }
OptionSpec json_option() { return {"json", "", "print one JSON object on stdout instead of text"}; }

std::vector<OptionSpec> service_options() {
  return {{"model", "offline|scripted:FILE|openai:NAME",
           "the model (default: openai:$WEFT_MODEL when OPENAI_API_KEY or OPENAI_BASE_URL is set, else offline)"},
          {"crisp", "sandbox|URL",
           "Crisp: the in-process sandbox (default unless CRISP_API_IDENTIFIER, CRISP_API_KEY and CRISP_WEBSITE_ID "
           "are set) or an API base URL (credentials from CRISP_*)"},
          db_option(),
          {"durability", "sync|async|exit", "when checkpoints become durable (default sync)"},
          {"stream", "values|updates|debug", "what progress shows on stderr (default updates)"},
          {"seed", "N", "seed of a new sandbox's data (default 42; ignored once its state file exists)"},
          {"temperature", "T", "the model's temperature, 0 to 2 (default: $WEFT_TEMPERATURE, else not sent)"},
          {"max-tokens", "N", "cap on tokens a model answer generates (default: $WEFT_MAX_TOKENS, else not sent)"},
          {"crisp-rate", "N",
           "Crisp requests per second this run may send (default 10, then the pace Crisp advertises; 0 = no limit)"},
          {"crisp-concurrency", "N", "Crisp requests in flight at once (default 8; 0 = unlimited)"},
          {"rate-limit-wait", "SECONDS",
           "how long one Crisp request may wait out 429s before it fails (default 300; 429s never count as failures)"},
          {"model-timeout", "SECONDS",
           "overall limit of one model call, streaming included (default $WEFT_MODEL_TIMEOUT or 120; 0 = none)"},
          {"quiet", "", "no progress on stderr: only errors, and the result on stdout"},
          {"no-stream", "", "do not show the model's text as it is written"},
          json_option()};
}

namespace {

Durability durability_of(const std::string& name) {
  if (name == "async") return Durability::async;
  if (name == "exit") return Durability::exit;
  return Durability::sync;
}

struct Execution {
  Runtime& runtime;
  CompiledGraph graph;
  RunConfig config;
  std::string banner;  // printed when the run starts (after every check passed)
  std::ostream* err = nullptr;
  ProgressPrinter* progress = nullptr;  // null with --quiet
  std::stop_source stop{};              // RunConfig::stop's source: Ctrl-C, SIGTERM, a broken stderr
};

// The progress printer of a run: the live status line when stderr is a terminal.
ProgressPrinter make_progress(const Invocation& inv, const Settings& settings, const std::string& graph) {
  ProgressOptions options;
  options.mode = settings.stream;
  options.terminal = detect_terminal(STDERR_FILENO, inv.env);
  options.stream_text = !inv.args.has("no-stream");
  options.graph = graph;
  return ProgressPrinter(inv.err, std::move(options));
}

// Builds the graph on connected services and fills the run configuration.
Execution prepare(Runtime& runtime, const graphs::GraphDefinition& definition, const std::string& thread_id,
                  ProgressPrinter& progress, std::ostream& err, bool quiet) {
  runtime.connect(
      [&progress, quiet](const std::string& line) {
        if (!quiet) progress.line(line);
      },
      [&progress, quiet](const http::RateLimitEvent& event) {
        if (!quiet) progress.rate_limit(event);
      });
  CompileOptions compile;
  compile.checkpointer = runtime.checkpointer();
  compile.effect_journal = runtime.journal();
  compile.store = runtime.memory_store();
  Execution e{runtime, definition.build(runtime.services(), std::move(compile)), {}, {}};
  if (!quiet) {
    e.banner = "weft: " + definition.name + " on thread " + thread_id + "; " + runtime.crisp_description() +
               "; model " + runtime.services().model->describe() + "\n";
  }
  e.err = &err;
  e.config.stop = e.stop.get_token();
  e.config.thread_id = thread_id;
  e.config.durability = durability_of(runtime.settings().durability);
  e.config.checkpointer = runtime.checkpointer();
  e.config.effect_journal = runtime.journal();
  json::object metadata;
  metadata["weft"] = runtime.settings().to_json();
  metadata["graph"] = definition.name;
  e.config.metadata = std::move(metadata);
  if (!quiet) {
    e.progress = &progress;
    e.config.stream = [&progress, stop = e.stop](const StreamEvent& event) mutable {
      progress(event);
      if (progress.status().broken()) stop.request_stop();  // stderr is a closed pipe: stop safely
    };
    e.config.stream_modes = progress.modes();
  }
  return e;
}

RunOutcome execute_run(Execution& e, json::value input) {
  if (e.err) *e.err << e.banner << std::flush;
  return drive_run(e.runtime.io(), e.graph.run(std::move(input), e.config), e.stop, e.progress);
}

RunOutcome execute_resume(Execution& e, weft::Command command) {
  if (e.err) *e.err << e.banner << std::flush;
  return drive_run(e.runtime.io(), e.graph.resume(std::move(command), e.config), e.stop, e.progress);
}

// The end of a run: a stopped one says how to continue; the rest is report_run's.
int finish_run(const RunOutcome& outcome, const std::string& thread_id, const std::string& graph,
               const Settings& settings, const Invocation& inv) {
  if (outcome.signal != 0 && outcome.result.status != RunStatus::done) {
    inv.err << "\nweft: stopped by " << (outcome.signal == SIGINT ? "Ctrl-C" : "SIGTERM") << " after "
            << outcome.result.steps << " step(s); thread " << thread_id << " (" << graph
            << ") is kept at its last checkpoint: continue it with 'weft resume " << thread_id << "'\n"
            << std::flush;
    return exit_code_for_signal(outcome.signal);
  }
  if (outcome.broken_pipe) return kExitFailed;  // nobody reads stderr any more; the thread is resumable
  return report_run(outcome.result, thread_id, graph, settings.json, inv.out, inv.err);
}

int run(const Invocation& inv) {
  const std::string graph_name = inv.args.positional(0);
  const graphs::GraphRegistry& registry = inv.graphs;
  const graphs::GraphDefinition* definition = registry.find(graph_name);
  if (!definition) {
    std::string names;
    for (const auto& d : registry.definitions()) names += (names.empty() ? "" : ", ") + d.name;
    throw UsageError("no graph named '" + graph_name + "'; the graphs are: " + names);
  }
  Settings settings = resolve_settings(inv.args, inv.env);
  json::value given = nullptr;
  if (auto input = inv.args.get("input")) given = read_json_argument("input", *input);
  json::object run_input;
  try {
    run_input = definition->make_input(given);
  } catch (const Error& e) {
    throw UsageError(e.what());
  }
  std::string thread_id = inv.args.get_or("thread", "");
  validate_new_thread_id(thread_id);
  if (thread_id.empty()) thread_id = new_thread_id(graph_name);

  Runtime runtime(settings, inv.env);
  runtime.open_store();
  // A thread that exists, even one whose run died before its first checkpoint, is continued by
  // resume: a second run on it would meet the first one's journal.
  auto existing = runtime.store().thread(thread_id);
  if (existing || recorded_run(runtime.store(), thread_id)) {
    const std::string status = existing ? std::string(to_string(existing->status)) : std::string("started");
    throw UsageError("thread '" + thread_id + "' already exists (" + status + "); continue it with 'weft resume " +
                     thread_id + "' or choose another --thread");
  }
  ProgressPrinter progress = make_progress(inv, settings, graph_name);
  Execution e = prepare(runtime, *definition, thread_id, progress, inv.err, inv.args.has("quiet"));
  try {
    record_run(runtime.store(), thread_id, run_record(graph_name, run_input, settings));
  } catch (const Error& error) {
    // Another `weft run --thread` recorded its run between our check and now.
    if (error.code() != std::error_code(store::error::effect_conflict)) throw;
    throw UsageError("thread '" + thread_id + "' was just started by another process; continue it with 'weft resume " +
                     thread_id + "' or choose another --thread");
  }
  RunOutcome outcome = execute_run(e, json::value(std::move(run_input)));
  return finish_run(outcome, thread_id, graph_name, settings, inv);
}

// Checks an answer against the pending interrupts' choices before resuming, so a typo is a usage
// error (exit 2) and the thread stays waiting.
void check_answer(const std::vector<Interrupt>& pending, const json::value& answer) {
  if (pending.size() != 1) return;  // several: {interrupt_id: value}, checked by the engine
  const json::object* question = pending.front().value.if_object();
  if (!question || !question->contains("choices")) return;
  const auto& choices = question->at("choices").as_array();
  std::string decline = choices.size() >= 3 && choices[2].is_string() ? std::string(choices[2].as_string()) : "skip";
  const json::value* subject = question->if_contains("subject");
  const bool titled = subject != nullptr && subject->is_object() && subject->as_object().contains("title");
  try {
    graphs::parse_human_decision(answer, decline,
                                 titled ? graphs::EditFields::text_and_title : graphs::EditFields::text);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--resume: ") + e.what());
  }
}

// With WEFT_DEBUG_STORE=1, prints what the process's stores did when the command ends (however it
// ends): "weft: debug: store: opened N, loads decoded N, reused N". Tests hold `resume` to one open
// and one decoded load with it.
class StoreStatsReport {
 public:
  explicit StoreStatsReport(const Invocation& inv) : inv_(inv), on_(inv.env("WEFT_DEBUG_STORE").value_or("") == "1") {}
  ~StoreStatsReport() {
    if (!on_) return;
    const SqliteStore::ProcessStats s = SqliteStore::process_stats();
    inv_.err << "weft: debug: store: opened " << s.opened << ", loads decoded " << s.decoded << ", reused " << s.reused
             << "\n"
             << std::flush;
  }
  StoreStatsReport(const StoreStatsReport&) = delete;
  StoreStatsReport& operator=(const StoreStatsReport&) = delete;

 private:
  const Invocation& inv_;
  bool on_;
};

int resume(const Invocation& inv) {
  const StoreStatsReport stats(inv);
  const std::string thread_id = inv.args.positional(0);
  const Settings given = resolve_settings(inv.args, inv.env);
  std::shared_ptr<Database> store = open_thread_store(given);
  ThreadRecord thread = read_thread(*store, given, thread_id);
  const graphs::GraphRegistry& registry = inv.graphs;
  const graphs::GraphDefinition& definition = registry.at(thread.info.graph);
  // The database comes from the command line or the defaults; model and Crisp from the recorded
  // run unless given here.
  Settings settings = resolve_settings(inv.args, inv.env, &thread.recorded);
  std::optional<json::value> answer;
  if (auto r = inv.args.get("resume")) answer = read_json_argument("resume", *r);

  Runtime runtime(settings, inv.env);
  runtime.open_store(settings.db_path == given.db_path ? std::move(store) : nullptr);
  ProgressPrinter progress = make_progress(inv, settings, definition.name);
  Execution e = prepare(runtime, definition, thread_id, progress, inv.err, inv.args.has("quiet"));
  if (thread.restart_input) {
    // The run died before its first durable checkpoint: start it again from its input. What it
    // already did is in the journal, bound to each request, so it is replayed, not repeated.
    if (answer) inv.err << "weft: note: thread " << thread_id << " has no pending question; --resume is ignored\n";
    RunOutcome restarted = execute_run(e, json::value(std::move(*thread.restart_input)));
    return finish_run(restarted, thread_id, definition.name, settings, inv);
  }
  auto snapshot = e.graph.get_state(e.config);
  std::vector<Interrupt> pending = snapshot ? snapshot->interrupts : std::vector<Interrupt>{};
  if (snapshot && snapshot->next.empty() && pending.empty())
    return report_finished_thread(snapshot->values, thread_id, definition.name, settings.json, inv.out, inv.err);
  RunOutcome result;
  if (!pending.empty()) {
    if (!answer) {
      throw UsageError("thread '" + thread_id +
                       "' is waiting for a human; answer with --resume JSON, e.g. --resume '{\"action\":\"approve\"}'");
    }
    check_answer(pending, *answer);
    weft::Command command;
    command.resume = *answer;
    result = execute_resume(e, std::move(command));
  } else {
    if (answer) inv.err << "weft: note: thread " << thread_id << " has no pending question; --resume is ignored\n";
    // Continue after a crash or a failure: from the latest checkpoint, re-running only the
    // unfinished tasks; journaled effects are not repeated.
    result = execute_run(e, json::value(nullptr));
  }
  return finish_run(result, thread_id, definition.name, settings, inv);
}

int fork(const Invocation& inv) {
  const std::string thread_id = inv.args.positional(0);
  const std::string checkpoint = inv.args.get_or("checkpoint", "");
  if (checkpoint.empty())
    throw UsageError("--checkpoint ID is required; list them with 'weft history " + thread_id + "'");
  const Settings given = resolve_settings(inv.args, inv.env);
  std::shared_ptr<Database> store = open_thread_store(given);
  ThreadRecord thread = read_thread(*store, given, thread_id, checkpoint);
  const graphs::GraphRegistry& registry = inv.graphs;
  const graphs::GraphDefinition& definition = registry.at(thread.info.graph);
  Settings settings = resolve_settings(inv.args, inv.env, &thread.recorded);
  Runtime runtime(settings, inv.env);
  runtime.open_store(settings.db_path == given.db_path ? std::move(store) : nullptr);
  ProgressPrinter progress = make_progress(inv, settings, definition.name);
  Execution e = prepare(runtime, definition, thread_id, progress, inv.err, inv.args.has("quiet"));
  e.config.checkpoint_id = checkpoint;
  if (auto update = inv.args.get("update")) {
    json::value values = read_json_argument("update", *update);
    if (!values.is_object()) throw UsageError("--update must be a JSON object of state keys");
    e.config.checkpoint_id = e.graph.update_state(e.config, values.as_object(), inv.args.get_or("as-node", ""));
  }
  RunOutcome outcome = execute_run(e, json::value(nullptr));
  return finish_run(outcome, thread_id, definition.name, settings, inv);
}

}  // namespace

std::string new_thread_id(const std::string& graph) {
  auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
  std::random_device rd;
  char suffix[8];
  std::snprintf(suffix, sizeof suffix, "%04x", static_cast<unsigned>(rd() & 0xffffu));
  return graph + "-" + stamp + "-" + suffix;
}

Command run_command() {
  CommandSpec spec{
      "run",
      "Run a graph on a new thread until it ends or waits for a human.",
      {{"GRAPH", "the graph to run (see 'weft graphs')", true}},
      {{"thread", "ID", "the thread id (default: GRAPH-DATE-TIME-XXXX)"},
       {"input", "JSON|@file", "the graph's input, validated against its schema (see 'weft graph GRAPH')"}},
      "With no configuration the run uses ./weft.db, the Crisp sandbox started in-process on a free\n"
      "loopback port (its state kept in ./weft.db.sandbox.json) and the offline model.\n"
      "A thread that exists is continued with 'weft resume', never run again.\n"
      "Exit codes: 0 done, 1 failed (the thread is resumable), 2 usage, 3 waiting for a human,\n"
      "4 done with failures (a write failed, every tool call failed, or the model refused).\n"
      "Example: weft run spam_triage --input '{\"limit\":10}'"};
  for (auto& o : service_options()) spec.options.push_back(std::move(o));
  return {std::move(spec), run};
}

Command resume_command() {
  CommandSpec spec{"resume",
                   "Answer a waiting thread's question, or continue a thread after a crash or a failure.",
                   {{"THREAD", "the thread id (see 'weft threads')", true}},
                   {{"resume", "JSON|@file",
                     "the answer, e.g. '{\"action\":\"approve\"}', '{\"action\":\"edit\",\"text\":\"...\"}'"}},
                   "The thread's graph, model and Crisp are the ones it was started with, unless given here.\n"
                   "Journaled side effects that already happened are not repeated. A thread whose run died before\n"
                   "its first checkpoint (--durability exit) starts again from its recorded input."};
  for (auto& o : service_options()) spec.options.push_back(std::move(o));
  return {std::move(spec), resume};
}

Command fork_command() {
  CommandSpec spec{"fork",
                   "Run a thread again from an older checkpoint, as a new branch (the old history stays).",
                   {{"THREAD", "the thread id", true}},
                   {{"checkpoint", "ID", "the checkpoint to branch from (see 'weft history THREAD')", true},
                    {"update", "JSON", "state values to write on that checkpoint before running"},
                    {"as-node", "NODE", "write --update as if this node returned it"}},
                   ""};
  for (auto& o : service_options()) spec.options.push_back(std::move(o));
  return {std::move(spec), fork};
}

}  // namespace weft::cli::detail
