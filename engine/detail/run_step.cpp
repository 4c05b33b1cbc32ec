// SPDX-License-Identifier: MIT
// The run loop's per-step phases: plan the tasks, pause before them, replay their saved
// outcomes, judge the finished step, apply its writes at the barrier, pause after it.

#include "engine/detail/run_loop.hpp"

#include "engine/detail/ids.hpp"
#include "engine/detail/planning.hpp"
#include "engine/detail/task_writes.hpp"
#include "engine/error.hpp"

#include <map>
#include <unordered_map>

namespace weft::detail {
namespace {

bool breakpoint(bool all, const std::set<std::string, std::less<>>& graph_nodes,
                const std::vector<std::string>& run_nodes, std::string_view node) {
  if (all || graph_nodes.count(node)) return true;
  for (const std::string& n : run_nodes)
    if (n == "*" || n == node) return true;
  return false;
}

/// The breakpoint interrupts of `kind` that `tasks` hit.
std::vector<Interrupt> breakpoints(const std::vector<std::unique_ptr<TaskRun>>& tasks, bool all,
                                   const std::set<std::string, std::less<>>& graph_nodes,
                                   const std::vector<std::string>& run_nodes, Interrupt::Kind kind,
                                   const std::string& ns) {
  std::vector<Interrupt> out;
  for (const auto& task : tasks) {
    if (!breakpoint(all, graph_nodes, run_nodes, task->state->node)) continue;
    Interrupt i;
    i.node = task->state->node;
    i.task_id = task->state->id;
    i.kind = kind;
    i.ns = ns;
    out.push_back(std::move(i));
  }
  return out;
}

}  // namespace

bool RunLoop::ends_before(std::int64_t step, bool cancelled) {
  if (sink_failed(cursor_.step)) return true;
  if (plan_.empty()) return true;
  if (cancelled || run_.stop_requested()) {
    fail(engine::error::cancelled, label_ + ": the run was cancelled before step " + std::to_string(step), "", step,
         nullptr);
    return true;
  }
  if (steps_run_ >= run_.config.recursion_limit) {
    std::string names;
    for (const std::string& n : plan_.next_names()) names += (names.empty() ? "'" : ", '") + n + "'";
    fail(engine::error::recursion_limit,
         label_ + ": recursion limit of " + std::to_string(run_.config.recursion_limit) +
             " reached without hitting a stop condition; step " + std::to_string(step) + " would run " + names +
             ". Raise RunConfig::recursion_limit if the graph needs more steps",
         "", step, nullptr);
    return true;
  }
  return false;
}

Plan RunLoop::plan_step(std::int64_t step) {
  // Deferred nodes wait while other tasks are planned; the checkpoint keeps planning them.
  Plan held;
  std::optional<Plan> split;  // a copy only for graphs that have deferred nodes
  if (def_.has_deferred_nodes) {
    split = plan_;
    held = hold_deferred(def_, *split);
  }
  const Plan& runnable = split ? *split : plan_;
  tasks_.clear();
  tasks_.reserve(runnable.pull.size() + runnable.sends.size());
  // A Send's task is named by its payload (and how many equal Sends to the node came before it
  // in this step), not its position: see make_task_id.
  std::map<std::pair<std::string, std::string>, std::size_t> equal_sends;
  auto add_task = [&](const std::string& name, bool push, std::size_t index,
                      const std::string& payload_digest = {}) -> TaskRun& {
    auto task = std::make_unique<TaskRun>();
    task->node_index = def_.node_index.at(name);
    task->push = push;
    task->send_index = index;
    task->state = std::make_shared<TaskState>();
    task->state->run = &run_;
    const std::size_t occurrence = push ? equal_sends[{name, payload_digest}]++ : 0;
    task->state->id =
        make_task_id(run_.config.thread_id, run_.ns, cursor_.id, step, name, push, occurrence, payload_digest);
    task->state->node = name;
    task->state->step = step;
    tasks_.push_back(std::move(task));
    return *tasks_.back();
  };
  for (const std::string& name : runnable.pull) add_task(name, false, 0);
  for (std::size_t i = 0; i < runnable.sends.size(); ++i) {
    const std::string payload = request_digest(runnable.sends[i].arg);
    add_task(runnable.sends[i].node, true, i, payload).push_arg =
        std::make_shared<const boost::json::object>(runnable.sends[i].arg);
  }
  return held;
}

bool RunLoop::interrupt_before() {
  if (!def_.interrupt_before_all && def_.interrupt_before.empty() && run_.config.interrupt_before.empty()) return false;
  result_.interrupts = breakpoints(tasks_, def_.interrupt_before_all, def_.interrupt_before,
                                   run_.config.interrupt_before, Interrupt::Kind::before, run_.ns);
  if (result_.interrupts.empty()) return false;
  result_.status = RunStatus::interrupted;
  return true;
}

void RunLoop::replay_pending() {
  if (pending_.empty()) return;
  std::unordered_map<std::string, const TaskWrites*> saved;
  for (const TaskWrites& w : pending_) saved[w.task_id] = &w;
  for (auto& task : tasks_) {
    auto found = saved.find(task->state->id);
    if (found == saved.end()) continue;
    decode_task_writes(*found->second, *task);
    if (task->status != TaskStatus::interrupted) continue;
    bool answered = false;
    for (const Interrupt& i : task->interrupts) {
      if (const boost::json::value* answer = answers_.if_contains(i.id)) {
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

bool RunLoop::ends_after(std::int64_t step) {
  const TaskRun* failed = nullptr;
  bool cancelled = run_.cancelled;
  for (const auto& task : tasks_) {
    if (task->status == TaskStatus::cancelled || task->status == TaskStatus::pending) cancelled = true;
    if (task->status == TaskStatus::failed && !failed) failed = task.get();
    if (task->status == TaskStatus::interrupted)
      for (const Interrupt& i : task->interrupts) result_.interrupts.push_back(i);
  }
  if (failed) {
    fail(failed->error_code == std::error_code(engine::error::node_timeout)
             ? failed->error_code
             : std::error_code(engine::error::node_failed),
         failed->error_message, failed->state->node, step, failed->error);
    return true;
  }
  if (cancelled) {
    fail(engine::error::cancelled, label_ + ": the run was cancelled during step " + std::to_string(step), "", step,
         nullptr);
    return true;
  }
  if (!result_.interrupts.empty()) {
    result_.status = RunStatus::interrupted;
    return true;
  }
  // A Command for the parent graph ends this (sub)graph's run before the barrier: the parent's
  // node finishes with it (subgraph.cpp). Its task's writes record it, so a resume ends alike.
  const TaskRun* to_parent = nullptr;
  for (const auto& task : tasks_) {
    if (!task->parent_command) continue;
    if (to_parent) {
      fail(engine::error::invalid_route,
           label_ + " step " + std::to_string(step) + ": nodes '" + to_parent->state->node + "' and '" +
               task->state->node + "' both returned a Command for the parent graph; one task per step may",
           task->state->node, step, nullptr);
      return true;
    }
    to_parent = task.get();
  }
  if (to_parent) {
    if (request_.parent_command) *request_.parent_command = *to_parent->parent_command;
    return true;
  }
  return false;
}

bool RunLoop::barrier(std::int64_t step, Plan held, std::vector<ChannelDelta>& deltas) {
  // Writes in task order, never completion order.
  std::vector<StepWrite> writes;
  if (input_task_)
    for (const auto& [key, value] : input_task_->update) writes.push_back({key, &value, "the resume command"});
  for (const auto& task : tasks_)
    for (const auto& [key, value] : task->update) writes.push_back({key, &value, task->state->node});
  if (values_.use_count() > 1) values_ = std::make_shared<boost::json::object>(*values_);  // a view outlived its step
  try {
    apply_step_writes(def_.schema, *values_, std::move(writes), run_.checkpointer ? &deltas : nullptr, &folder_);
  } catch (const Error& e) {
    fail(e.code(), label_ + " step " + std::to_string(step) + ": " + e.what(), "", step, std::current_exception());
    return false;
  }

  Plan next = std::move(held);
  next.joins = std::move(plan_.joins);
  if (input_task_) {
    for (const std::string& to : input_task_->gotos) next.pull.push_back(to);
    for (const Send& send : input_task_->sends) next.sends.push_back(send);
    input_task_.reset();
  }
  for (const auto& task : tasks_) advance_plan(def_, next, task->node_index, task->gotos, task->sends);
  finish_plan(next);
  plan_ = std::move(next);
  return true;
}

bool RunLoop::interrupt_after() {
  if (!def_.interrupt_after_all && def_.interrupt_after.empty() && run_.config.interrupt_after.empty()) return false;
  result_.interrupts = breakpoints(tasks_, def_.interrupt_after_all, def_.interrupt_after, run_.config.interrupt_after,
                                   Interrupt::Kind::after, run_.ns);
  if (result_.interrupts.empty()) return false;
  result_.status = RunStatus::interrupted;
  return true;
}

}  // namespace weft::detail
