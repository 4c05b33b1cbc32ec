// SPDX-License-Identifier: MIT
// One queued run on a worker slot (queued_run.hpp).

#include "cli/detail/queued_run.hpp"

#include "engine/error.hpp"
#include "store/error.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/json/parse.hpp>

#include <chrono>
#include <exception>

namespace json = boost::json;

namespace weft::cli::detail {
namespace {

using namespace std::chrono_literals;

// Where the thread stands with respect to this queued run.
enum class Progress { fresh, started, finished };

Progress progress_of(const CompiledGraph& graph, const RunConfig& config, const std::string& run_id) {
  auto snapshot = graph.get_state(config);
  if (!snapshot) return Progress::fresh;
  const auto* owner = snapshot->metadata.if_contains(kQueueRunKey);
  // The thread's latest checkpoint belongs to an earlier run of the thread: this one starts anew.
  if (!owner || !owner->is_string() || owner->get_string() != run_id) return Progress::fresh;
  return snapshot->next.empty() && snapshot->interrupts.empty() ? Progress::finished : Progress::started;
}

RunResult drive(Runtime& runtime, boost::asio::awaitable<RunResult> run) {
  auto& io = runtime.io();
  io.restart();
  std::exception_ptr error;
  RunResult result;
  boost::asio::co_spawn(io, std::move(run), [&](std::exception_ptr e, RunResult r) {
    error = e;
    result = std::move(r);
  });
  io.run();
  if (error) std::rethrow_exception(error);
  return result;
}

QueuedRunResult failure(std::string message, std::chrono::milliseconds delay = 1s) {
  QueuedRunResult r;
  r.outcome.kind = AttemptOutcome::Kind::failed;
  r.outcome.error = message;
  r.outcome.delay = delay;
  r.summary = "failed: " + message;
  return r;
}

QueuedRunResult from_error(const Error& e) {
  if (e.code() == std::error_code(store::error::lease_lost)) {
    QueuedRunResult r;
    r.lease_lost = true;
    r.outcome.kind = AttemptOutcome::Kind::released;
    r.summary = std::string("lost its thread: ") + e.what();
    return r;
  }
  if (e.code() == std::error_code(store::error::thread_busy)) {
    QueuedRunResult r;
    r.outcome.kind = AttemptOutcome::Kind::postponed;
    r.outcome.delay = 500ms;
    r.summary = std::string("postponed: ") + e.what();
    return r;
  }
  return failure(e.what());
}

QueuedRunResult from_result(const RunResult& result, bool stopped) {
  QueuedRunResult r;
  switch (result.status) {
    case RunStatus::done: r.summary = "done in " + std::to_string(result.steps) + " step(s)"; return r;
    case RunStatus::interrupted: r.summary = "waits for a human (weft resume THREAD --resume ...)"; return r;
    case RunStatus::failed: break;
  }
  std::error_code code = result.error ? result.error->code : std::error_code{};
  // A node that lost the thread (an effect refused: the lease is gone) fails as node_failed; its
  // own error says why.
  if (code == std::error_code(engine::error::node_failed) && result.error->exception) {
    try {
      std::rethrow_exception(result.error->exception);
    } catch (const Error& e) {
      if (e.code() == std::error_code(store::error::lease_lost)) code = e.code();
    } catch (...) {}
  }
  if (code == std::error_code(store::error::lease_lost) || code == std::error_code(store::error::thread_busy)) {
    return from_error(Error(code, result.error->message));
  }
  if (stopped && code == std::error_code(engine::error::cancelled)) {
    r.outcome.kind = AttemptOutcome::Kind::released;
    r.summary = "stopped at step boundary, released to the queue";
    return r;
  }
  return failure(result.error ? result.error->message : std::string("the run failed"));
}

}  // namespace

QueuedRunResult execute_queued_run(Runtime& runtime, const graphs::GraphRegistry& graphs, CompiledGraphs& compiled,
                                   const QueuedRun& run, std::stop_token stop) {
  try {
    auto found = compiled.find(run.graph);
    if (found == compiled.end()) {
      const graphs::GraphDefinition* definition = graphs.find(run.graph);
      if (!definition) return failure("no graph named '" + run.graph + "' in this worker", 0ms);
      CompileOptions compile;
      compile.checkpointer = runtime.checkpointer();
      compile.effect_journal = runtime.journal();
      compile.store = runtime.memory_store();
      found = compiled.emplace(run.graph, definition->build(runtime.services(), std::move(compile))).first;
    }
    const CompiledGraph& graph = found->second;
    RunConfig config;
    config.thread_id = run.thread_id;
    config.checkpointer = runtime.checkpointer();
    config.effect_journal = runtime.journal();
    config.stop = stop;
    json::object metadata;
    metadata["weft"] = runtime.settings().to_json();
    metadata["graph"] = run.graph;
    metadata[kQueueRunKey] = run.run_id;
    config.metadata = std::move(metadata);

    json::value input = nullptr;
    switch (progress_of(graph, config, run.run_id)) {
      case Progress::finished: {
        QueuedRunResult r;
        r.summary = "already finished by an earlier attempt";
        return r;
      }
      case Progress::started: break;  // continue from the last checkpoint: null input
      case Progress::fresh: input = json::parse(run.input); break;
    }
    RunResult result = drive(runtime, graph.run(std::move(input), config));
    return from_result(result, stop.stop_requested());
  } catch (const Error& e) {
    return from_error(e);
  } catch (const std::exception& e) {
    return failure(e.what());
  }
}

}  // namespace weft::cli::detail
