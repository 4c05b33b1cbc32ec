// SPDX-License-Identifier: MIT
// The superstep loop (LangGraph's Pregel loop): load or start a checkpoint, then repeatedly plan a
// step's tasks, run them, apply their writes at the barrier, checkpoint, until nothing is
// triggered, a node interrupts or fails, or the run is cancelled.

#include "engine/detail/channels.hpp"
#include "engine/detail/hash.hpp"
#include "engine/detail/run_state.hpp"
#include "engine/detail/steps.hpp"
#include "engine/detail/task_runner.hpp"
#include "engine/effect_journal.hpp"
#include "engine/error.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <functional>
#include <map>
#include <stop_token>
#include <unordered_map>

namespace weft::detail {
namespace {

using boost::asio::awaitable;

std::string new_run_id(const RunShared& run) {
  static std::atomic<std::uint64_t> counter{0};
  IdHasher hasher;
  hasher.add(run.config.thread_id).add(static_cast<std::uint64_t>(run.clock->now_ms()));
  hasher.add(counter.fetch_add(1)).add(reinterpret_cast<std::uintptr_t>(&run));
  return hasher.hex();
}

bool breakpoint(bool all, const std::set<std::string, std::less<>>& graph_nodes, const std::vector<std::string>& run_nodes,
                std::string_view node) {
  if (all || graph_nodes.count(node)) return true;
  for (const std::string& n : run_nodes)
    if (n == "*" || n == node) return true;
  return false;
}

RunError make_error(std::error_code code, std::string message, std::string node, std::int64_t step,
                    std::exception_ptr exception) {
  RunError error;
  error.code = code;
  error.message = std::move(message);
  error.node = std::move(node);
  error.step = step;
  error.exception = exception ? exception : std::make_exception_ptr(Error(code, error.message));
  return error;
}

ThreadStatus thread_status(RunStatus status) {
  switch (status) {
    case RunStatus::done: return ThreadStatus::done;
    case RunStatus::interrupted: return ThreadStatus::interrupted;
    case RunStatus::failed: return ThreadStatus::failed;
  }
  return ThreadStatus::failed;
}

}  // namespace

awaitable<RunResult> execute_run(std::shared_ptr<const GraphDef> def_ptr, RunRequest request, RunConfig config,
                                 std::string ns) {
  // This coroutine has its own thread (see CompiledGraph::run); it handles cancellation itself.
  co_await boost::asio::this_coro::throw_if_cancelled(false);
  auto executor = co_await boost::asio::this_coro::executor;
  const GraphDef& def = *def_ptr;

  auto shared = std::make_shared<RunShared>();
  RunShared& run = *shared;
  run.def = def_ptr;
  run.config = std::move(config);
  run.ns = std::move(ns);
  run.checkpointer = run.config.checkpointer ? run.config.checkpointer : def.options.checkpointer;
  run.journal = run.config.effect_journal   ? run.config.effect_journal
                : def.options.effect_journal ? def.options.effect_journal
                                             : std::dynamic_pointer_cast<EffectJournal>(run.checkpointer);
  run.clock = run.config.clock ? run.config.clock : system_clock();
  if (run.config.run_id.empty()) run.config.run_id = new_run_id(run);
  run.persist.checkpointer = run.checkpointer.get();
  run.persist.durability = run.config.durability;
  Checkpointer* const checkpointer = run.checkpointer.get();
  const std::string& thread = run.config.thread_id;
  const bool root = run.ns.empty();
  const std::string graph_label = "graph '" + def.name + "'" + (thread.empty() ? "" : " (thread '" + thread + "')");

  if (checkpointer && thread.empty())
    throw Error(engine::error::invalid_input, graph_label + ": a run with a checkpointer needs RunConfig::thread_id");
  std::unique_ptr<ThreadLease> lease;

  // ---- Load or start ----------------------------------------------------------------------
  auto values = std::make_shared<boost::json::object>();
  Plan plan;
  std::int64_t checkpoint_step = -2;  // the step that produced the current checkpoint
  std::string checkpoint_id;
  std::uint64_t sequence = 0;
  std::vector<TaskWrites> pending;
  boost::json::object answers;  // interrupt id -> resume value
  std::unique_ptr<TaskRun> input_task;  // a resume Command's update / goto / sends

  std::optional<CheckpointTuple> tuple;
  if (checkpointer) {
    if (root) {  // the lease, then the checkpoint: one transaction for a store that can
      Checkpointer::RunStart start = checkpointer->start_run(thread, run.config.checkpoint_id);
      lease = std::move(start.lease);
      tuple = std::move(start.checkpoint);
    } else {
      tuple = checkpointer->get(thread, run.ns, run.config.checkpoint_id);
    }
    if (!run.config.checkpoint_id.empty() && !tuple)
      throw Error(engine::error::checkpoint_not_found,
                  graph_label + ": no checkpoint '" + run.config.checkpoint_id + "'; list them with get_state_history");
    if (tuple) {
      sequence = checkpoint_sequence(tuple->record.id);
      if (!run.config.checkpoint_id.empty()) {
        ListOptions latest_only;
        latest_only.limit = 1;
        latest_only.with_values = false;
        auto latest = checkpointer->list(thread, run.ns, latest_only);
        if (!latest.empty()) sequence = std::max(sequence, checkpoint_sequence(latest.front().record.id));
      }
    }
  }

  auto metadata = [&](CheckpointSource source) {
    boost::json::object meta = run.config.metadata;
    meta["run_id"] = run.config.run_id;
    meta["graph"] = def.name;
    meta["source"] = to_string(source);
    return meta;
  };
  // Writes a checkpoint for the current values and plan, making it current.
  auto new_checkpoint = [&](CheckpointSource source, std::int64_t step, std::vector<ChannelDelta> deltas) {
    std::string parent = checkpoint_id;
    checkpoint_id = checkpoint_id_for(++sequence);
    checkpoint_step = step;
    if (checkpointer) {
      CheckpointRecord record;
      record.thread_id = thread;
      record.ns = run.ns;
      record.id = checkpoint_id;
      record.parent_id = std::move(parent);
      record.step = step;
      record.source = source;
      record.created_at_ms = run.clock->now_ms();
      record.metadata = metadata(source);
      record.next = plan.to_json();
      record.deltas = std::move(deltas);
      run.persist.checkpoint(std::move(record), *values);
    }
    if (run.wants(StreamMode::debug)) {
      boost::json::array next;
      for (std::string& name : plan.next_names()) next.emplace_back(name);
      run.emit(StreamMode::debug, "", step,
               boost::json::object{{"type", "checkpoint"},
                                   {"payload", boost::json::object{{"id", checkpoint_id},
                                                                   {"step", step},
                                                                   {"source", to_string(source)},
                                                                   {"next", std::move(next)}}}});
    }
  };
  auto emit_values = [&](std::int64_t step) {
    if (run.wants(StreamMode::values)) run.emit(StreamMode::values, "", step, *values);
  };

  if (!request.resume) {
    if (tuple) {
      *values = std::move(tuple->values);
      checkpoint_id = tuple->record.id;
      checkpoint_step = tuple->record.step;
    }
    const std::int64_t step = tuple ? checkpoint_step + 1 : -1;
    const std::string input_id = make_task_id(thread, run.ns, checkpoint_id, step, "__input__", false, 0);
    normalize_update(def.schema, request.input, input_id, "the run input");
    std::vector<StepWrite> writes;
    for (const auto& [key, value] : request.input) writes.push_back({key, &value, "the run input"});
    std::vector<ChannelDelta> deltas;
    apply_step_writes(def.schema, *values, std::move(writes), checkpointer ? &deltas : nullptr);
    std::vector<std::string> gotos;
    std::vector<Send> sends;
    route_after(def, def.start_index(), StateView(values), gotos, sends, "START");
    advance_plan(def, plan, def.start_index(), gotos, sends);
    finish_plan(plan);
    if (checkpointer && root) checkpointer->set_thread_status(thread, ThreadStatus::running, def.name, {});
    new_checkpoint(CheckpointSource::input, step, std::move(deltas));
    emit_values(step);
  } else {
    if (!checkpointer)
      throw Error(engine::error::no_checkpointer,
                  graph_label + ": continuing a thread needs a checkpointer (CompileOptions or RunConfig)");
    if (!tuple)
      throw Error(engine::error::checkpoint_not_found,
                  graph_label + ": the thread has no checkpoint to continue from; start it with an input object");
    *values = std::move(tuple->values);
    plan = Plan::from_json(tuple->record.next);
    checkpoint_id = tuple->record.id;
    checkpoint_step = tuple->record.step;
    pending = std::move(tuple->pending_writes);
    const bool fork = !run.config.checkpoint_id.empty() && checkpoint_sequence(checkpoint_id) < sequence;

    const Command& command = request.command;
    if (command.resume) {
      std::vector<Interrupt> open;
      if (!fork)
        for (Interrupt& i : pending_interrupts(pending))
          if (i.kind == Interrupt::Kind::node) open.push_back(std::move(i));
      const boost::json::value& answer = *command.resume;
      bool by_id = answer.is_object() && !answer.get_object().empty();
      if (by_id) {
        for (const auto& [id, v] : answer.get_object()) {
          bool known = false;
          for (const Interrupt& i : open) known = known || i.id == std::string_view(id);
          by_id = by_id && known;
        }
      }
      if (by_id) {
        answers = answer.get_object();
      } else if (open.size() == 1) {
        answers[open.front().id] = answer;
      } else if (open.empty()) {
        throw Error(engine::error::invalid_resume,
                    graph_label + ": there is no pending interrupt to resume; continue the thread with null input");
      } else {
        std::string ids;
        for (const Interrupt& i : open) ids += (ids.empty() ? "" : ", ") + i.id + " (node '" + i.node + "')";
        throw Error(engine::error::invalid_resume, graph_label + ": " + std::to_string(open.size()) +
                                                       " interrupts are pending: " + ids +
                                                       "; resume with an object {interrupt_id: value, ...}");
      }
    }
    if (!command.update.empty() || !command.goto_nodes.empty() || !command.sends.empty()) {
      input_task = std::make_unique<TaskRun>();
      input_task->state = std::make_shared<TaskState>();
      input_task->state->id = make_task_id(thread, run.ns, checkpoint_id, checkpoint_step + 1, "__input__", false, 0);
      input_task->state->node = "__input__";
      input_task->update = command.update;
      input_task->gotos = command.goto_nodes;
      input_task->sends = command.sends;
      normalize_update(def.schema, input_task->update, input_task->state->id, "the resume command");
      check_destinations(def, input_task->gotos, input_task->sends, "the resume command");
    }
    if (checkpointer && root) checkpointer->set_thread_status(thread, ThreadStatus::running, def.name, {});
    if (fork) {
      pending.clear();
      new_checkpoint(CheckpointSource::fork, checkpoint_step, {});
    }
    if (input_task && plan.empty()) {
      // Nothing is pending: the command's writes form their own update checkpoint.
      std::vector<StepWrite> writes;
      for (const auto& [key, value] : input_task->update) writes.push_back({key, &value, "the resume command"});
      std::vector<ChannelDelta> deltas;
      apply_step_writes(def.schema, *values, std::move(writes), &deltas);
      for (const std::string& to : input_task->gotos) plan.pull.push_back(to);
      for (const Send& send : input_task->sends) plan.sends.push_back(send);
      finish_plan(plan);
      input_task.reset();
      new_checkpoint(CheckpointSource::update, checkpoint_step + 1, std::move(deltas));
      emit_values(checkpoint_step);
    }
  }

  // Cancellation through RunConfig::stop, marshalled onto the run's executor.
  std::optional<std::stop_callback<std::function<void()>>> on_stop;
  if (run.config.stop.stop_possible()) {
    std::weak_ptr<RunShared> weak = shared;
    on_stop.emplace(run.config.stop, std::function<void()>([weak, executor] {
                      boost::asio::post(executor, [weak] {
                        if (auto alive = weak.lock()) alive->request_cancel();
                      });
                    }));
  }

  // ---- The loop -------------------------------------------------------------------------------
  RunResult result;
  result.status = RunStatus::done;
  std::int64_t steps_run = 0;
  bool first = true;
  auto fail = [&](std::error_code code, std::string message, std::string node, std::int64_t step,
                  std::exception_ptr exception) {
    result.status = RunStatus::failed;
    result.interrupts.clear();
    result.error = make_error(code, std::move(message), std::move(node), step, exception);
  };

  auto sink_failed = [&](std::int64_t step) {
    if (!run.sink_error) return false;
    std::string what = "unknown exception";
    try {
      std::rethrow_exception(run.sink_error);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    fail(engine::error::stream_failed, graph_label + ": the stream sink threw at step " + std::to_string(step) + ": " + what,
         "", step, run.sink_error);
    return true;
  };

  // The current step's tasks; they outlive the loop, which may end before the step's checkpoint
  // with writes still listed in run.writes_in_checkpoint.
  std::vector<std::unique_ptr<TaskRun>> tasks;
  // Folds each step's writes into `values` from here on, with an index of message ids (nothing
  // else changes `values` inside the loop; the copy-on-write below keeps the contents).
  StateFolder folder;
  for (;;) {
    if (sink_failed(checkpoint_step)) break;
    if (plan.empty()) break;
    const std::int64_t step = checkpoint_step + 1;
    auto cancellation = co_await boost::asio::this_coro::cancellation_state;
    if (cancellation.cancelled() != boost::asio::cancellation_type::none || run.stop_requested()) {
      fail(engine::error::cancelled, graph_label + ": the run was cancelled before step " + std::to_string(step), "",
           step, nullptr);
      break;
    }
    if (steps_run >= run.config.recursion_limit) {
      std::string names;
      for (const std::string& n : plan.next_names()) names += (names.empty() ? "'" : ", '") + n + "'";
      fail(engine::error::recursion_limit,
           graph_label + ": recursion limit of " + std::to_string(run.config.recursion_limit) +
               " reached without hitting a stop condition; step " + std::to_string(step) + " would run " + names +
               ". Raise RunConfig::recursion_limit if the graph needs more steps",
           "", step, nullptr);
      break;
    }

    // Deferred nodes wait while other tasks are planned; the checkpoint keeps planning them.
    Plan held;
    std::optional<Plan> split;  // a copy only for graphs that have deferred nodes
    if (def.has_deferred_nodes) {
      split = plan;
      held = hold_deferred(def, *split);
    }
    const Plan& runnable = split ? *split : plan;
    tasks.clear();
    tasks.reserve(runnable.pull.size() + runnable.sends.size());
    // A Send's task is named by its payload (and how many equal Sends to the node came before it
    // in this step), not its position: see make_task_id.
    std::map<std::pair<std::string, std::string>, std::size_t> equal_sends;
    auto add_task = [&](const std::string& name, bool push, std::size_t index,
                        const std::string& payload_digest = {}) -> TaskRun& {
      auto task = std::make_unique<TaskRun>();
      task->node_index = def.node_index.at(name);
      task->push = push;
      task->send_index = index;
      task->state = std::make_shared<TaskState>();
      task->state->run = &run;
      const std::size_t occurrence = push ? equal_sends[{name, payload_digest}]++ : 0;
      task->state->id = make_task_id(thread, run.ns, checkpoint_id, step, name, push, occurrence, payload_digest);
      task->state->node = name;
      task->state->step = step;
      tasks.push_back(std::move(task));
      return *tasks.back();
    };
    for (const std::string& name : runnable.pull) add_task(name, false, 0);
    for (std::size_t i = 0; i < runnable.sends.size(); ++i) {
      const std::string payload = request_digest(runnable.sends[i].arg);
      add_task(runnable.sends[i].node, true, i, payload).push_arg =
          std::make_shared<const boost::json::object>(runnable.sends[i].arg);
    }

    const bool resuming_here = first && request.resume;
    if (!resuming_here &&
        (def.interrupt_before_all || !def.interrupt_before.empty() || !run.config.interrupt_before.empty())) {
      for (const auto& task : tasks) {
        if (breakpoint(def.interrupt_before_all, def.interrupt_before, run.config.interrupt_before, task->state->node)) {
          Interrupt i;
          i.node = task->state->node;
          i.task_id = task->state->id;
          i.kind = Interrupt::Kind::before;
          i.ns = run.ns;
          result.interrupts.push_back(std::move(i));
        }
      }
      if (!result.interrupts.empty()) {
        result.status = RunStatus::interrupted;
        break;
      }
    }

    if (first && !pending.empty()) {
      std::unordered_map<std::string, const TaskWrites*> saved;
      for (const TaskWrites& w : pending) saved[w.task_id] = &w;
      for (auto& task : tasks) {
        auto found = saved.find(task->state->id);
        if (found == saved.end()) continue;
        decode_task_writes(*found->second, *task);
        if (task->status != TaskStatus::interrupted) continue;
        bool answered = false;
        for (const Interrupt& i : task->interrupts) {
          if (const boost::json::value* answer = answers.if_contains(i.id)) {
            task->state->resume_map[i.id] = *answer;
            answered = true;
          }
        }
        if (answered) {
          task->status = TaskStatus::pending;
          task->interrupts.clear();
        }
      }
    }
    first = false;

    // Let other handlers (a canceller, other runs) in now and then when every node is sync.
    if ((steps_run & 63) == 63) {
      auto yield = boost::asio::post(executor, boost::asio::use_awaitable);
      co_await std::move(yield);
    }

    {
      std::shared_ptr<const boost::json::object> snapshot = values;
      auto superstep = run_superstep(run, tasks, std::move(snapshot), checkpoint_id);
      co_await std::move(superstep);
    }
    ++steps_run;
    if (sink_failed(step)) break;

    const TaskRun* failed = nullptr;
    bool cancelled = run.cancelled;
    for (const auto& task : tasks) {
      if (task->status == TaskStatus::cancelled || task->status == TaskStatus::pending) cancelled = true;
      if (task->status == TaskStatus::failed && !failed) failed = task.get();
      if (task->status == TaskStatus::interrupted)
        for (const Interrupt& i : task->interrupts) result.interrupts.push_back(i);
    }
    if (failed) {
      result.interrupts.clear();
      fail(failed->error_code == std::error_code(engine::error::node_timeout) ? failed->error_code
                                                                              : std::error_code(engine::error::node_failed),
           failed->error_message, failed->state->node, step, failed->error);
      break;
    }
    if (cancelled) {
      result.interrupts.clear();
      fail(engine::error::cancelled, graph_label + ": the run was cancelled during step " + std::to_string(step), "",
           step, nullptr);
      break;
    }
    if (!result.interrupts.empty()) {
      result.status = RunStatus::interrupted;
      break;
    }
    // A Command for the parent graph ends this (sub)graph's run before the barrier: the parent's
    // node finishes with it (subgraph.cpp). Its task's writes record it, so a resume ends alike.
    const TaskRun* to_parent = nullptr;
    for (const auto& task : tasks) {
      if (!task->parent_command) continue;
      if (to_parent) {
        fail(engine::error::invalid_route,
             graph_label + " step " + std::to_string(step) + ": nodes '" + to_parent->state->node + "' and '" +
                 task->state->node + "' both returned a Command for the parent graph; one task per step may",
             task->state->node, step, nullptr);
        break;
      }
      to_parent = task.get();
    }
    if (result.status == RunStatus::failed) break;
    if (to_parent) {
      if (request.parent_command) *request.parent_command = *to_parent->parent_command;
      break;
    }

    // ---- Barrier: writes in task order, never completion order ----
    std::vector<StepWrite> writes;
    if (input_task)
      for (const auto& [key, value] : input_task->update) writes.push_back({key, &value, "the resume command"});
    for (const auto& task : tasks)
      for (const auto& [key, value] : task->update) writes.push_back({key, &value, task->state->node});
    if (values.use_count() > 1) values = std::make_shared<boost::json::object>(*values);  // a view outlived its step
    std::vector<ChannelDelta> deltas;
    try {
      apply_step_writes(def.schema, *values, std::move(writes), checkpointer ? &deltas : nullptr, &folder);
    } catch (const Error& e) {
      fail(e.code(), graph_label + " step " + std::to_string(step) + ": " + e.what(), "", step, std::current_exception());
    }
    if (result.status == RunStatus::failed) break;

    Plan next = std::move(held);
    next.joins = std::move(plan.joins);
    if (input_task) {
      for (const std::string& to : input_task->gotos) next.pull.push_back(to);
      for (const Send& send : input_task->sends) next.sends.push_back(send);
      input_task.reset();
    }
    for (const auto& task : tasks) advance_plan(def, next, task->node_index, task->gotos, task->sends);
    finish_plan(next);
    plan = std::move(next);
    pending.clear();
    new_checkpoint(CheckpointSource::loop, step, std::move(deltas));
    run.writes_in_checkpoint.clear();  // committed as the checkpoint's deltas
    emit_values(step);

    if (def.interrupt_after_all || !def.interrupt_after.empty() || !run.config.interrupt_after.empty()) {
      for (const auto& task : tasks) {
        if (breakpoint(def.interrupt_after_all, def.interrupt_after, run.config.interrupt_after, task->state->node)) {
          Interrupt i;
          i.node = task->state->node;
          i.task_id = task->state->id;
          i.kind = Interrupt::Kind::after;
          i.ns = run.ns;
          result.interrupts.push_back(std::move(i));
        }
      }
      if (!result.interrupts.empty()) {
        result.status = RunStatus::interrupted;
        break;
      }
    }
  }

  on_stop.reset();
  if (result.status != RunStatus::failed) sink_failed(checkpoint_step);
  // The step ended without its checkpoint: the writes left to it are saved now, before the run
  // reports, so resuming re-runs none of the step's finished tasks.
  for (const TaskRun* task : run.writes_in_checkpoint) {
    std::error_code code = engine::error::node_failed;
    std::string what;
    try {
      run.persist.writes(encode_task_writes(run, run.writes_in_checkpoint_id, *task));
      continue;
    } catch (const Error& e) {
      code = e.code();
      what = e.what();
    } catch (const std::exception& e) {
      what = e.what();
    }
    // The store refuses writes: this and the remaining tasks re-run on resume.
    if (result.status != RunStatus::failed) {
      fail(code, graph_label + ": saving the writes of node '" + task->state->node + "' failed: " + what,
           task->state->node, task->state->step, nullptr);
    }
    break;
  }
  run.writes_in_checkpoint.clear();
  auto save_status = [&] {
    if (!checkpointer || !root) return;
    boost::json::object meta;
    if (result.error) meta["error"] = result.error->message;
    checkpointer->set_thread_status(thread, thread_status(result.status), def.name, meta);
  };
  // Under async durability the final status is queued behind the run's last checkpoint and so
  // commits in the same batch as it; exit durability writes its checkpoint in flush(), and the
  // status must not land before it.
  const bool status_first = run.persist.durability == Durability::async;
  if (status_first) save_status();
  run.persist.flush(*values);
  if (!status_first) save_status();
  // The state goes to the result without a copy unless a view still shares it.
  result.values = values.use_count() == 1 ? std::move(*values) : *values;
  result.checkpoint_id = checkpointer ? checkpoint_id : std::string();
  result.next = plan.next_names();
  result.steps = steps_run;
  co_return result;
}

}  // namespace weft::detail
