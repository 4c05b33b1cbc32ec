// SPDX-License-Identifier: MIT
#include "engine/node_context.hpp"

#include "engine/detail/hash.hpp"
#include "engine/detail/run_state.hpp"
#include "engine/error.hpp"

namespace weft {

using detail::RunShared;
using detail::TaskState;

const std::string& NodeContext::thread_id() const noexcept { return task_->run->config.thread_id; }
const std::string& NodeContext::task_id() const noexcept { return task_->id; }
const std::string& NodeContext::node() const noexcept { return task_->node; }
const std::string& NodeContext::checkpoint_ns() const noexcept { return task_->run->ns; }
std::int64_t NodeContext::step() const noexcept { return task_->step; }
int NodeContext::attempt() const noexcept { return task_->attempt; }
const RunConfig& NodeContext::config() const noexcept { return task_->run->config; }
const boost::json::object& NodeContext::configurable() const noexcept { return task_->run->config.configurable; }
Clock& NodeContext::clock() const noexcept { return *task_->run->clock; }
Store& NodeContext::store() const {
  const RunShared& run = *task_->run;
  Store* store = run.config.store ? run.config.store.get() : run.def->options.store.get();
  if (!store) {
    throw Error(engine::error::no_store, "node '" + task_->node +
                                             "' called store() but the run has no long-term "
                                             "memory store; pass CompileOptions::store or RunConfig::store");
  }
  return *store;
}
bool NodeContext::stop_requested() const noexcept { return task_->run->stop_requested(); }

void NodeContext::emit(boost::json::value data) const {
  task_->run->emit(StreamMode::custom, task_->node, task_->step, std::move(data), task_->id);
}

bool NodeContext::streams(StreamMode mode) const noexcept { return task_->run->wants(mode); }

void NodeContext::emit_token(std::string_view text) const {
  if (text.empty() || !task_->run->wants(StreamMode::messages)) return;
  boost::json::object data;
  data["delta"] = text;
  task_->run->emit(StreamMode::messages, task_->node, task_->step, boost::json::value(std::move(data)), task_->id);
}

boost::json::value NodeContext::interrupt(boost::json::value value) const {
  TaskState& task = *task_;
  if (!task.run->checkpointer) {
    throw Error(engine::error::no_checkpointer,
                "node '" + task.node +
                    "' called interrupt() but the run has no checkpointer to resume from; "
                    "compile with CompileOptions::checkpointer or pass RunConfig::checkpointer");
  }
  const std::size_t index = task.interrupt_index++;
  if (index < task.resume_values.size()) return task.resume_values[index];
  std::string id = detail::IdHasher().add(task.id).add(static_cast<std::uint64_t>(index)).hex();
  if (const boost::json::value* answer = task.resume_map.if_contains(id)) {
    task.resume_values.push_back(*answer);
    return *answer;
  }
  Interrupt pause;
  pause.id = std::move(id);
  pause.value = std::move(value);
  pause.node = task.node;
  pause.task_id = task.id;
  pause.kind = Interrupt::Kind::node;
  pause.ns = task.run->ns;
  throw detail::InterruptSignal{{std::move(pause)}};
}

boost::asio::awaitable<boost::json::value> NodeContext::effect_erased(std::string key, EffectFn fn,
                                                                      ReconcileFn reconcile,
                                                                      EffectRequest request) const {
  const TaskState& task = *task_;
  std::string subject = "effect '" + key + "' of node '" + task.node + "' (thread '" + task.run->config.thread_id +
                        "', task " + task.id + ")";
  // The journal outlives the task's awaitables: the run holds it until every task has ended.
  return run_journaled(task.run->journal.get(), task.run->config.thread_id, task.id + ":" + key, std::move(fn),
                       std::move(reconcile), std::move(request), std::move(subject));
}

boost::asio::awaitable<void> NodeContext::confirm_may_act() const {
  // The task's state (and through it the run's journal) lives as long as this context.
  std::shared_ptr<detail::TaskState> task = task_;
  EffectJournal* journal = task->run->journal.get();
  if (journal == nullptr) co_return;
  auto confirming = journal->async_confirm_may_act(task->run->config.thread_id);
  co_await std::move(confirming);
}

namespace {
// A deadline has no effect outside the process: in doubt after a crash, a new one is taken.
boost::asio::awaitable<std::optional<boost::json::value>> deadline_never_recorded() { co_return std::nullopt; }
}  // namespace

boost::asio::awaitable<std::int64_t> NodeContext::sleep_durably(std::string key, Clock::duration delay,
                                                                boost::json::value after) const {
  Clock& clock = *task_->run->clock;
  const std::int64_t proposed = clock.now_ms() + delay.count();
  EffectRequest request;
  request.what = boost::json::object{
      {"timer", "deadline"}, {"delay_ms", static_cast<std::int64_t>(delay.count())}, {"after", std::move(after)}};
  request.rerun_on_change = true;  // a deadline is ours alone: a new wait simply takes a new one
  ReconcileFn reconcile = deadline_never_recorded;
  auto recording = effect(
      key, [proposed] { return boost::json::value(proposed); }, std::move(reconcile), std::move(request));
  boost::json::value recorded = co_await std::move(recording);
  const std::int64_t deadline = recorded.to_number<std::int64_t>();
  const std::int64_t remaining = deadline - clock.now_ms();
  if (remaining > 0) {
    boost::json::object timer;
    timer["event"] = "timer";
    timer["key"] = key;
    timer["until_ms"] = deadline;
    timer["remaining_ms"] = remaining;
    emit(boost::json::value(std::move(timer)));
    auto sleeping = clock.sleep(Clock::duration(remaining));
    co_await std::move(sleeping);
  }
  co_return deadline;
}

}  // namespace weft
