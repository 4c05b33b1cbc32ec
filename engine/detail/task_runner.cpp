// SPDX-License-Identifier: MIT
#include "engine/detail/task_runner.hpp"

#include "engine/detail/channels.hpp"
#include "engine/detail/hash.hpp"
#include "engine/detail/node_cache_step.hpp"
#include "engine/detail/node_timeout.hpp"
#include "engine/detail/planning.hpp"
#include "engine/detail/task_writes.hpp"
#include "engine/effect_journal.hpp"
#include "engine/error.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>

#include <random>

namespace weft::detail {
namespace {

using boost::asio::awaitable;

/// Counts outstanding spawned coroutines; the waiter sleeps on a timer the last one cancels.
struct Join {
  explicit Join(boost::asio::any_io_executor executor) : wake(executor, boost::asio::steady_timer::time_point::max()) {}
  std::size_t outstanding = 0;
  boost::asio::steady_timer wake;
  void done() {
    if (--outstanding == 0) wake.cancel();
  }
};

std::string describe(const TaskRun& task, const RunShared& run) {
  std::string text = "node '" + task.state->node + "' (step " + std::to_string(task.state->step);
  if (!run.config.thread_id.empty()) text += ", thread '" + run.config.thread_id + "'";
  if (!run.ns.empty()) text += ", namespace '" + run.ns + "'";
  return text + ")";
}

StateView task_view(const TaskRun& task, const std::shared_ptr<const boost::json::object>& snapshot) {
  return task.push ? StateView(task.push_arg) : StateView(snapshot);
}

/// The debug "task" event; `cached` marks a task settled from the node cache without running.
void emit_task_start(RunShared& run, const TaskRun& task, bool cached = false) {
  if (!run.wants(StreamMode::debug)) return;
  boost::json::object payload{
      {"id", task.state->id}, {"name", task.state->node}, {"attempt", task.state->attempt}, {"push", task.push}};
  if (cached) payload["cached"] = true;
  run.emit(StreamMode::debug, task.state->node, task.state->step,
           boost::json::object{{"type", "task"}, {"payload", std::move(payload)}});
}

void record_failure(RunShared& run, TaskRun& task, std::exception_ptr error);

using Tasks = std::vector<std::unique_ptr<TaskRun>>;

/// Whether `task` settles its step with nothing left to save on its own: it succeeded and so did
/// every sibling (earlier ones had their writes put; none is still running or waiting). Its writes
/// then become the step checkpoint's deltas, committed with it.
bool completes_step(const Tasks& tasks, const TaskRun& task) {
  if (task.status != TaskStatus::succeeded) return false;
  for (const auto& other : tasks)
    if (other.get() != &task && other->status != TaskStatus::succeeded) return false;
  return true;
}

/// Streams a committed task's outcome.
void announce(RunShared& run, const TaskRun& task) {
  const std::string& node = task.state->node;
  if (task.status == TaskStatus::succeeded && run.wants(StreamMode::updates)) {
    run.emit(StreamMode::updates, node, task.state->step, boost::json::object{{node, task.update}});
  }
  if (task.status == TaskStatus::interrupted && run.wants(StreamMode::updates)) {
    run.emit(StreamMode::updates, node, task.state->step,
             boost::json::object{{"__interrupt__", to_json(task.interrupts)}});
  }
  if (run.wants(StreamMode::debug)) {
    boost::json::object payload{{"id", task.state->id}, {"name", node}};
    if (task.status == TaskStatus::succeeded) payload["result"] = task.update;
    if (task.status == TaskStatus::failed) payload["error"] = task.error_message;
    if (task.status == TaskStatus::interrupted) payload["interrupts"] = to_json(task.interrupts);
    run.emit(StreamMode::debug, node, task.state->step,
             boost::json::object{{"type", "task_result"}, {"payload", std::move(payload)}});
  }
}

/// Whether committing `task` puts its writes now (a store round trip), rather than leaving them
/// to the step's checkpoint (it completes the step) or having no store.
bool puts_writes(const RunShared& run, const Tasks& tasks, const TaskRun& task) {
  return run.persist.checkpointer && !completes_step(tasks, task);
}

/// Commits a finished task whose writes are not put now (see puts_writes): they travel as the
/// step checkpoint's deltas. Never suspends, so the common one-task step costs no coroutine.
void commit_in_checkpoint(RunShared& run, const std::string& checkpoint_id, TaskRun& task) {
  if (run.persist.checkpointer) {
    run.writes_in_checkpoint.push_back(&task);
    run.writes_in_checkpoint_id = checkpoint_id;
  }
  announce(run, task);
}

/// commit_or_fail() for a task whose writes are put now (puts_writes) when the store saves
/// inline (Persister::saves_inline): no coroutine frame per task of a fan-out.
void commit_now_or_fail(RunShared& run, const std::string& checkpoint_id, TaskRun& task) {
  try {
    run.persist.writes_now(encode_task_writes(run, checkpoint_id, task));
    announce(run, task);
  } catch (...) {
    record_failure(run, task, std::current_exception());
  }
}

/// Commits a finished task: saves its writes (or leaves them to the step's checkpoint when it
/// completes the step) and streams its outcome. A checkpointer failure fails the task (the step
/// then fails and stays resumable).
awaitable<void> commit_or_fail(RunShared& run, std::string checkpoint_id, const Tasks& tasks, TaskRun& task) {
  std::exception_ptr failure;
  try {
    if (puts_writes(run, tasks, task)) {
      auto saving = run.persist.writes(encode_task_writes(run, checkpoint_id, task));
      co_await std::move(saving);
      announce(run, task);
    } else {
      commit_in_checkpoint(run, checkpoint_id, task);
    }
  } catch (...) {
    failure = std::current_exception();
  }
  if (failure) record_failure(run, task, failure);
}

/// Turns a node's return into the task's outcome: normalized update, routes.
void settle(RunShared& run, TaskRun& task, Command command,
            const std::shared_ptr<const boost::json::object>& snapshot) {
  const GraphDef& def = *run.def;
  const std::string who = "node '" + task.state->node + "'";
  if (command.graph == Command::Graph::parent) {
    if (run.ns.empty()) {
      throw Error(engine::error::invalid_route, who + " returned a Command for the parent graph, but graph '" +
                                                    def.name + "' is not running as a subgraph");
    }
    command.graph = Command::Graph::current;  // checked and applied by the parent's own task
    task.parent_command = std::move(command);
    task.status = TaskStatus::succeeded;
    return;
  }
  std::optional<boost::json::object> to_record;
  if (!task.from_cache && !task.cache_key.empty()) {
    to_record = command_to_json(command);
    (*to_record)["request_digest"] = task.cache_request;
  }
  normalize_update(def.schema, command.update, task.state->id, who);
  check_destinations(def, command.goto_nodes, command.sends, who);
  task.gotos = std::move(command.goto_nodes);
  task.sends = std::move(command.sends);
  if (!def.routers_of[task.node_index].empty()) {
    StateView view = local_view(def, snapshot, command.update);
    route_after(def, task.node_index, view, task.gotos, task.sends, who);
  }
  task.update = std::move(command.update);
  task.status = TaskStatus::succeeded;
  if (to_record) record_in_cache(run, task, *to_record);
}

/// For a pending task whose node caches: when a result is recorded for its input, settles the
/// task with that result instead of running the node. Returns whether it did.
bool settle_from_cache(RunShared& run, TaskRun& task, const std::shared_ptr<const boost::json::object>& snapshot) {
  std::optional<boost::json::object> recorded = cached_result(run, task, task_view(task, snapshot));
  if (!recorded) return false;
  task.from_cache = true;
  emit_task_start(run, task, /*cached=*/true);
  settle(run, task, command_from_json(*recorded), snapshot);
  return true;
}

void record_failure(RunShared& run, TaskRun& task, std::exception_ptr error) {
  task.status = TaskStatus::failed;
  task.error = error;
  std::string what = "unknown exception";
  task.error_code = engine::error::node_failed;
  try {
    std::rethrow_exception(error);
  } catch (const Error& e) {
    what = e.what();
    task.error_code = e.code();
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {}
  task.error_message = describe(task, run) + " failed: " + what;
}

enum class Attempt { finished, retry };

/// Decides what follows a failed attempt.
Attempt after_failure(RunShared& run, TaskRun& task, std::exception_ptr error,
                      const std::optional<RetryPolicy>& policy) {
  if (run.stop_requested()) {
    task.status = TaskStatus::cancelled;
    return Attempt::finished;
  }
  bool retry = false;
  if (policy && task.state->attempt < policy->max_attempts) {
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      retry = policy->retry_on ? policy->retry_on(e) : default_retry_on(e);
    } catch (...) {}
  }
  if (retry) return Attempt::retry;
  record_failure(run, task, error);
  return Attempt::finished;
}

std::chrono::milliseconds retry_delay(const RetryPolicy& policy, const TaskRun& task) {
  std::chrono::milliseconds delay = policy.backoff(task.state->attempt);
  if (policy.jitter) {
    // Seeded by the task and attempt: the same run waits the same way.
    std::seed_seq seed(task.state->id.begin(), task.state->id.end());
    std::mt19937 generator(seed);
    generator.discard(static_cast<unsigned long long>(task.state->attempt));
    delay += std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 999)(generator));
  }
  return delay;
}

const std::optional<RetryPolicy>& policy_of(const RunShared& run, const TaskRun& task) {
  const NodeDef& node = run.def->nodes[task.node_index];
  return node.options.retry ? node.options.retry : run.def->options.default_retry;
}

/// One attempt of a sync node, inline. Returns whether a retry is due.
Attempt attempt_sync(RunShared& run, TaskRun& task, const std::shared_ptr<const boost::json::object>& snapshot) {
  const NodeDef& node = run.def->nodes[task.node_index];
  task.state->interrupt_index = 0;
  std::exception_ptr error;
  try {
    Command command = node.fn.sync(task_view(task, snapshot), NodeContext(task.state));
    settle(run, task, std::move(command), snapshot);
    return Attempt::finished;
  } catch (InterruptSignal& signal) {
    task.interrupts = std::move(signal.interrupts);
    task.status = TaskStatus::interrupted;
    return Attempt::finished;
  } catch (...) {
    error = std::current_exception();
  }
  return after_failure(run, task, error, policy_of(run, task));
}

/// Runs a task to completion from `first_attempt`, sleeping before it when > 1.
awaitable<void> run_task(RunShared& run, TaskRun& task, std::shared_ptr<const boost::json::object> snapshot,
                         int first_attempt) {
  const NodeDef& node = run.def->nodes[task.node_index];
  const std::optional<RetryPolicy>& policy = policy_of(run, task);
  for (int attempt = first_attempt;; ++attempt) {
    if (attempt > 1) {
      std::chrono::milliseconds delay = retry_delay(*policy, task);
      bool aborted = false;
      try {
        auto sleeping = run.clock->sleep(delay);
        co_await std::move(sleeping);
      } catch (...) {
        aborted = true;
      }
      if (aborted || run.stop_requested()) {
        task.status = TaskStatus::cancelled;
        co_return;
      }
      task.state->attempt = attempt;
      emit_task_start(run, task);
    }
    if (node.fn.sync) {
      if (attempt_sync(run, task, snapshot) == Attempt::finished) co_return;
      continue;
    }
    task.state->interrupt_index = 0;
    std::exception_ptr error;
    bool interrupted = false;
    std::vector<Interrupt> interrupts;
    try {
      Command command;
      if (node.options.timeout) {
        auto pending = call_with_timeout(run.clock, node, task_view(task, snapshot), NodeContext(task.state),
                                         *node.options.timeout);
        command = co_await std::move(pending);
      } else {
        auto pending = node.fn.async(task_view(task, snapshot), NodeContext(task.state));
        command = co_await std::move(pending);
      }
      settle(run, task, std::move(command), snapshot);
      co_return;
    } catch (InterruptSignal& signal) {
      interrupted = true;
      interrupts = std::move(signal.interrupts);
    } catch (...) {
      error = std::current_exception();
    }
    if (interrupted) {
      task.interrupts = std::move(interrupts);
      task.status = TaskStatus::interrupted;
      co_return;
    }
    if (after_failure(run, task, error, policy) == Attempt::finished) co_return;
  }
}

/// An async task's coroutine: runs it, then commits its outcome (unless it never finished).
awaitable<void> run_and_commit(RunShared& run, Tasks& tasks, TaskRun& task,
                               std::shared_ptr<const boost::json::object> snapshot, std::string checkpoint_id) {
  auto running = run_task(run, task, std::move(snapshot), 1);
  co_await std::move(running);
  if (task.status == TaskStatus::cancelled || task.status == TaskStatus::pending) co_return;
  auto committing = commit_or_fail(run, std::move(checkpoint_id), tasks, task);
  co_await std::move(committing);
}

}  // namespace

awaitable<void> run_superstep(RunShared& run, std::vector<std::unique_ptr<TaskRun>>& tasks,
                              std::shared_ptr<const boost::json::object> snapshot, std::string checkpoint_id) {
  auto executor = co_await boost::asio::this_coro::executor;
  std::shared_ptr<Join> join;
  run.in_flight.clear();

  // Tasks whose node has a recorded result for this input settle without running.
  if (run.def->options.cache) {
    for (auto& owned : tasks) {
      TaskRun& task = *owned;
      if (task.status != TaskStatus::pending) continue;
      try {
        if (!settle_from_cache(run, task, snapshot)) continue;
      } catch (...) {
        record_failure(run, task, std::current_exception());
      }
      auto committing = commit_or_fail(run, checkpoint_id, tasks, task);
      co_await std::move(committing);
    }
  }

  // Async tasks start first, so their I/O overlaps the sync tasks that run inline next.
  for (auto& owned : tasks) {
    TaskRun& task = *owned;
    if (task.status != TaskStatus::pending || !run.def->nodes[task.node_index].fn.async) continue;
    if (!join) join = std::make_shared<Join>(executor);
    ++join->outstanding;
    run.in_flight.push_back(&task);
    emit_task_start(run, task);
    boost::asio::co_spawn(
        executor, run_and_commit(run, tasks, task, snapshot, checkpoint_id),
        boost::asio::bind_cancellation_slot(task.cancel.slot(), [join](std::exception_ptr) { join->done(); }));
  }
  for (auto& owned : tasks) {
    TaskRun& task = *owned;
    if (task.status != TaskStatus::pending || !run.def->nodes[task.node_index].fn.sync) continue;
    if (run.stop_requested()) {
      task.status = TaskStatus::cancelled;
      continue;
    }
    emit_task_start(run, task);
    if (attempt_sync(run, task, snapshot) == Attempt::retry) {
      auto retrying = run_task(run, task, snapshot, task.state->attempt + 1);
      co_await std::move(retrying);
    }
    if (task.status == TaskStatus::cancelled) continue;
    if (puts_writes(run, tasks, task) && run.persist.saves_inline()) {
      commit_now_or_fail(run, checkpoint_id, task);
    } else if (puts_writes(run, tasks, task)) {
      auto committing = commit_or_fail(run, checkpoint_id, tasks, task);
      co_await std::move(committing);
    } else {
      commit_in_checkpoint(run, checkpoint_id, task);  // announce() only emits; the sink's errors are caught
    }
  }
  while (join && join->outstanding > 0) {
    boost::system::error_code ec;
    auto wait = join->wake.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    co_await std::move(wait);
    if (join->outstanding == 0) break;
    auto state = co_await boost::asio::this_coro::cancellation_state;
    if (state.cancelled() != boost::asio::cancellation_type::none) {
      run.request_cancel();
      co_await boost::asio::this_coro::reset_cancellation_state();
    }
    join->wake.expires_at(boost::asio::steady_timer::time_point::max());
  }
  run.in_flight.clear();
}

}  // namespace weft::detail
