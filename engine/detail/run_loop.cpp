// SPDX-License-Identifier: MIT
// The run loop's start, checkpoint and finish phases, and run() which strings the phases
// together (a step's phases are in run_step.cpp).

#include "engine/detail/run_loop.hpp"

#include "engine/detail/hash.hpp"
#include "engine/detail/ids.hpp"
#include "engine/detail/planning.hpp"
#include "engine/detail/task_runner.hpp"
#include "engine/detail/task_writes.hpp"
#include "engine/error.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>

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

ThreadStatus thread_status(RunStatus status) {
  switch (status) {
    case RunStatus::done: return ThreadStatus::done;
    case RunStatus::interrupted: return ThreadStatus::interrupted;
    case RunStatus::failed: return ThreadStatus::failed;
  }
  return ThreadStatus::failed;
}

std::shared_ptr<RunShared> make_shared_state(std::shared_ptr<const GraphDef> def, RunConfig config, std::string ns) {
  auto shared = std::make_shared<RunShared>();
  RunShared& run = *shared;
  RunStores stores = resolve_stores(def->options, config);
  run.def = std::move(def);
  run.config = std::move(config);
  run.ns = std::move(ns);
  run.checkpointer = std::move(stores.checkpointer);
  run.journal = std::move(stores.journal);
  run.clock = run.config.clock ? run.config.clock : system_clock();
  if (run.config.run_id.empty()) run.config.run_id = new_run_id(run);
  run.persist.checkpointer = run.checkpointer.get();
  run.persist.durability = run.config.durability;
  return shared;
}

}  // namespace

RunLoop::RunLoop(std::shared_ptr<const GraphDef> def, RunRequest request, RunConfig config, std::string ns)
    : shared_(make_shared_state(std::move(def), std::move(config), std::move(ns))),
      run_(*shared_),
      def_(*run_.def),
      request_(std::move(request)),
      root_(run_.ns.empty()) {
  const std::string& thread = run_.config.thread_id;
  label_ = "graph '" + def_.name + "'" + (thread.empty() ? "" : " (thread '" + thread + "')");
  cursor_.thread_id = thread;
  cursor_.ns = run_.ns;
  result_.status = RunStatus::done;
}

awaitable<RunResult> RunLoop::run() {
  auto executor = co_await boost::asio::this_coro::executor;
  {
    auto loading = load();
    co_await std::move(loading);
  }
  {
    auto starting = request_.resume ? continue_thread() : start_with_input();
    co_await std::move(starting);
  }
  watch_stop(executor);

  for (;;) {
    const std::int64_t step = cursor_.step + 1;
    auto cancellation = co_await boost::asio::this_coro::cancellation_state;
    if (ends_before(step, cancellation.cancelled() != boost::asio::cancellation_type::none)) break;
    Plan held = plan_step(step);
    if (!(first_step_ && request_.resume) && interrupt_before()) break;
    if (first_step_) replay_pending();
    first_step_ = false;

    // Let other handlers (a canceller, other runs) in now and then when every node is sync.
    if ((steps_run_ & 63) == 63) {
      auto yield = boost::asio::post(executor, boost::asio::use_awaitable);
      co_await std::move(yield);
    }
    {
      std::shared_ptr<const boost::json::object> snapshot = values_;
      auto superstep = run_superstep(run_, tasks_, std::move(snapshot), cursor_.id);
      co_await std::move(superstep);
    }
    ++steps_run_;
    if (sink_failed(step) || ends_after(step)) break;

    std::vector<ChannelDelta> deltas;
    if (!barrier(step, std::move(held), deltas)) break;
    pending_.clear();
    if (run_.persist.saves_inline()) {  // checkpoint(), without its coroutine frame
      checkpoint_now(CheckpointSource::loop, step, std::move(deltas));
    } else {
      auto saving =
          run_.persist.checkpoint(next_checkpoint(CheckpointSource::loop, step, std::move(deltas)), values_.get());
      co_await std::move(saving);
      emit_checkpoint(CheckpointSource::loop, step);
    }
    run_.writes_in_checkpoint.clear();  // committed as the checkpoint's deltas
    emit_values(step);
    if (interrupt_after()) break;
  }

  on_stop_.reset();
  {
    auto phase = finish();
    co_await std::move(phase);
  }
  co_return std::move(result_);
}

awaitable<void> RunLoop::load() {
  Checkpointer* checkpointer = run_.checkpointer.get();
  const std::string& thread = run_.config.thread_id;
  if (!checkpointer) co_return;
  if (thread.empty())
    throw Error(engine::error::invalid_input, label_ + ": a run with a checkpointer needs RunConfig::thread_id");
  const std::string& wanted = run_.config.checkpoint_id;
  if (root_ && checkpointer->completes_inline()) {
    Checkpointer::RunStart start = checkpointer->start_run(thread, wanted);
    lease_ = std::move(start.lease);
    loaded_ = std::move(start.checkpoint);
  } else if (root_) {  // the lease, then the checkpoint: one transaction for a store that can
    auto starting = checkpointer->async_start_run(thread, wanted);
    Checkpointer::RunStart start = co_await std::move(starting);
    lease_ = std::move(start.lease);
    loaded_ = std::move(start.checkpoint);
  } else {
    auto loading = checkpointer->async_get(thread, run_.ns, wanted);
    loaded_ = co_await std::move(loading);
  }
  if (!wanted.empty() && !loaded_)
    throw Error(engine::error::checkpoint_not_found,
                label_ + ": no checkpoint '" + wanted + "'; list them with get_state_history");
  if (!loaded_) co_return;
  std::string latest_id;
  if (!wanted.empty()) {  // a fork numbers its checkpoints after the history's latest
    auto listing = checkpointer->async_list(thread, run_.ns, latest_record_only());
    std::vector<CheckpointTuple> latest = co_await std::move(listing);
    if (!latest.empty()) latest_id = latest.front().record.id;
  }
  cursor_.start_from(loaded_->record, latest_id);
}

awaitable<void> RunLoop::start_with_input() {
  if (loaded_) *values_ = std::move(loaded_->values);
  const std::int64_t step = loaded_ ? cursor_.step + 1 : -1;
  loaded_.reset();
  const std::string input_id = make_task_id(run_.config.thread_id, run_.ns, cursor_.id, step, "__input__", false, 0);
  normalize_update(def_.schema, request_.input, input_id, "the run input");
  std::vector<StepWrite> writes;
  for (const auto& [key, value] : request_.input) writes.push_back({key, &value, "the run input"});
  std::vector<ChannelDelta> deltas;
  apply_step_writes(def_.schema, *values_, std::move(writes), run_.checkpointer ? &deltas : nullptr);
  std::vector<std::string> gotos;
  std::vector<Send> sends;
  route_after(def_, def_.start_index(), StateView(values_), gotos, sends, "START");
  advance_plan(def_, plan_, def_.start_index(), gotos, sends);
  finish_plan(plan_);
  if (run_.persist.store_completes_inline()) {  // without coroutine frames
    set_status_now(ThreadStatus::running, {});
    checkpoint_now(CheckpointSource::input, step, std::move(deltas));
  } else {
    {
      auto phase = set_status(ThreadStatus::running, {});
      co_await std::move(phase);
    }
    auto phase = checkpoint(CheckpointSource::input, step, std::move(deltas));
    co_await std::move(phase);
  }
  emit_values(step);
}

awaitable<void> RunLoop::continue_thread() {
  if (!run_.checkpointer)
    throw Error(engine::error::no_checkpointer,
                label_ + ": continuing a thread needs a checkpointer (CompileOptions or RunConfig)");
  if (!loaded_)
    throw Error(engine::error::checkpoint_not_found,
                label_ + ": the thread has no checkpoint to continue from; start it with an input object");
  *values_ = std::move(loaded_->values);
  plan_ = Plan::from_json(loaded_->record.next);
  pending_ = std::move(loaded_->pending_writes);
  loaded_.reset();
  const bool fork = !run_.config.checkpoint_id.empty() && cursor_.behind_latest();

  const Command& command = request_.command;
  if (command.resume) answer_resume(*command.resume, fork);
  if (!command.update.empty() || !command.goto_nodes.empty() || !command.sends.empty()) {
    input_task_ = std::make_unique<TaskRun>();
    input_task_->state = std::make_shared<TaskState>();
    input_task_->state->id =
        make_task_id(run_.config.thread_id, run_.ns, cursor_.id, cursor_.step + 1, "__input__", false, 0);
    input_task_->state->node = "__input__";
    input_task_->update = command.update;
    input_task_->gotos = command.goto_nodes;
    input_task_->sends = command.sends;
    normalize_update(def_.schema, input_task_->update, input_task_->state->id, "the resume command");
    check_destinations(def_, input_task_->gotos, input_task_->sends, "the resume command");
  }
  if (run_.persist.store_completes_inline()) {
    set_status_now(ThreadStatus::running, {});
  } else {
    auto phase = set_status(ThreadStatus::running, {});
    co_await std::move(phase);
  }
  if (fork) {
    pending_.clear();
    {
      auto phase = checkpoint(CheckpointSource::fork, cursor_.step, {});
      co_await std::move(phase);
    }
  }
  if (input_task_ && plan_.empty()) {
    // Nothing is pending: the command's writes form their own update checkpoint.
    std::vector<StepWrite> writes;
    for (const auto& [key, value] : input_task_->update) writes.push_back({key, &value, "the resume command"});
    std::vector<ChannelDelta> deltas;
    apply_step_writes(def_.schema, *values_, std::move(writes), &deltas);
    for (const std::string& to : input_task_->gotos) plan_.pull.push_back(to);
    for (const Send& send : input_task_->sends) plan_.sends.push_back(send);
    finish_plan(plan_);
    input_task_.reset();
    {
      auto phase = checkpoint(CheckpointSource::update, cursor_.step + 1, std::move(deltas));
      co_await std::move(phase);
    }
    emit_values(cursor_.step);
  }
}

void RunLoop::answer_resume(const boost::json::value& answer, bool fork) {
  std::vector<Interrupt> open;
  if (!fork)
    for (Interrupt& i : pending_interrupts(pending_))
      if (i.kind == Interrupt::Kind::node) open.push_back(std::move(i));
  bool by_id = answer.is_object() && !answer.get_object().empty();
  if (by_id) {
    for (const auto& [id, v] : answer.get_object()) {
      bool known = false;
      for (const Interrupt& i : open) known = known || i.id == std::string_view(id);
      by_id = by_id && known;
    }
  }
  if (by_id) {
    answers_ = answer.get_object();
  } else if (open.size() == 1) {
    answers_[open.front().id] = answer;
  } else if (open.empty()) {
    throw Error(engine::error::invalid_resume,
                label_ + ": there is no pending interrupt to resume; continue the thread with null input");
  } else {
    std::string ids;
    for (const Interrupt& i : open) ids += (ids.empty() ? "" : ", ") + i.id + " (node '" + i.node + "')";
    throw Error(engine::error::invalid_resume, label_ + ": " + std::to_string(open.size()) +
                                                   " interrupts are pending: " + ids +
                                                   "; resume with an object {interrupt_id: value, ...}");
  }
}

void RunLoop::watch_stop(boost::asio::any_io_executor executor) {
  if (!run_.config.stop.stop_possible()) return;
  std::weak_ptr<RunShared> weak = shared_;
  on_stop_.emplace(run_.config.stop, std::function<void()>([weak, executor] {
                     boost::asio::post(executor, [weak] {
                       if (auto alive = weak.lock()) alive->request_cancel();
                     });
                   }));
}

awaitable<void> RunLoop::checkpoint(CheckpointSource source, std::int64_t step, std::vector<ChannelDelta> deltas) {
  if (run_.checkpointer) {
    auto saving = run_.persist.checkpoint(next_checkpoint(source, step, std::move(deltas)), values_.get());
    co_await std::move(saving);
  } else {
    cursor_.advance_unrecorded(step);
  }
  emit_checkpoint(source, step);
}

void RunLoop::checkpoint_now(CheckpointSource source, std::int64_t step, std::vector<ChannelDelta> deltas) {
  if (run_.checkpointer)
    run_.persist.checkpoint_now(next_checkpoint(source, step, std::move(deltas)), *values_);
  else
    cursor_.advance_unrecorded(step);  // ids still advance: task ids derive from them
  emit_checkpoint(source, step);
}

CheckpointRecord RunLoop::next_checkpoint(CheckpointSource source, std::int64_t step,
                                          std::vector<ChannelDelta> deltas) {
  return cursor_.advance(source, step, checkpoint_metadata(run_.config.metadata, def_.name, source, run_.config.run_id),
                         plan_.to_json(), std::move(deltas), run_.clock->now_ms());
}

void RunLoop::emit_checkpoint(CheckpointSource source, std::int64_t step) {
  if (!run_.wants(StreamMode::debug)) return;
  boost::json::array next;
  for (std::string& name : plan_.next_names()) next.emplace_back(name);
  run_.emit(StreamMode::debug, "", step,
            boost::json::object{
                {"type", "checkpoint"},
                {"payload",
                 boost::json::object{
                     {"id", cursor_.id}, {"step", step}, {"source", to_string(source)}, {"next", std::move(next)}}}});
}

void RunLoop::set_status_now(ThreadStatus status, boost::json::object metadata) {
  if (!run_.checkpointer || !root_) return;
  run_.checkpointer->set_thread_status(run_.config.thread_id, status, def_.name, metadata);
}

awaitable<void> RunLoop::set_status(ThreadStatus status, boost::json::object metadata) {
  if (!run_.checkpointer || !root_) co_return;
  auto setting =
      run_.checkpointer->async_set_thread_status(run_.config.thread_id, status, def_.name, std::move(metadata));
  co_await std::move(setting);
}

awaitable<void> RunLoop::finish() {
  if (result_.status != RunStatus::failed) sink_failed(cursor_.step);
  // The step ended without its checkpoint: the writes left to it are saved now, before the run
  // reports, so resuming re-runs none of the step's finished tasks.
  for (const TaskRun* task : run_.writes_in_checkpoint) {
    std::error_code code = engine::error::node_failed;
    std::string what;
    try {
      auto saving = run_.persist.writes(encode_task_writes(run_, run_.writes_in_checkpoint_id, *task));
      co_await std::move(saving);
      continue;
    } catch (const Error& e) {
      code = e.code();
      what = e.what();
    } catch (const std::exception& e) {
      what = e.what();
    }
    // The store refuses writes: this and the remaining tasks re-run on resume.
    if (result_.status != RunStatus::failed) {
      fail(code, label_ + ": saving the writes of node '" + task->state->node + "' failed: " + what, task->state->node,
           task->state->step, nullptr);
    }
    break;
  }
  run_.writes_in_checkpoint.clear();
  boost::json::object meta;
  if (result_.error) meta["error"] = result_.error->message;
  // Under async durability the final status is queued behind the run's last checkpoint and so
  // commits in the same batch as it; exit durability writes its checkpoint in flush(), and the
  // status must not land before it.
  const bool status_first = run_.persist.durability == Durability::async;
  if (run_.persist.store_completes_inline()) {  // without coroutine frames
    if (status_first) set_status_now(thread_status(result_.status), meta);
    run_.persist.flush_now(*values_);
    if (!status_first) set_status_now(thread_status(result_.status), std::move(meta));
    finish_result();
    co_return;
  }
  if (status_first) {
    auto setting = set_status(thread_status(result_.status), meta);
    co_await std::move(setting);
  }
  {
    auto flushing = run_.persist.flush(values_.get());
    co_await std::move(flushing);
  }
  if (!status_first) {
    auto setting = set_status(thread_status(result_.status), std::move(meta));
    co_await std::move(setting);
  }
  finish_result();
}

void RunLoop::finish_result() {
  // The state goes to the result without a copy unless a view still shares it.
  result_.values = values_.use_count() == 1 ? std::move(*values_) : *values_;
  result_.checkpoint_id = run_.checkpointer ? cursor_.id : std::string();
  result_.next = plan_.next_names();
  result_.steps = steps_run_;
}

void RunLoop::emit_values(std::int64_t step) {
  if (run_.wants(StreamMode::values)) run_.emit(StreamMode::values, "", step, *values_);
}

bool RunLoop::sink_failed(std::int64_t step) {
  if (!run_.sink_error) return false;
  std::string what = "unknown exception";
  try {
    std::rethrow_exception(run_.sink_error);
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {}
  fail(engine::error::stream_failed, label_ + ": the stream sink threw at step " + std::to_string(step) + ": " + what,
       "", step, run_.sink_error);
  return true;
}

void RunLoop::fail(std::error_code code, std::string message, std::string node, std::int64_t step,
                   std::exception_ptr exception) {
  result_.status = RunStatus::failed;
  result_.interrupts.clear();
  RunError error;
  error.code = code;
  error.message = std::move(message);
  error.node = std::move(node);
  error.step = step;
  error.exception = exception ? exception : std::make_exception_ptr(Error(code, error.message));
  result_.error = std::move(error);
}

awaitable<RunResult> execute_run(std::shared_ptr<const GraphDef> def, RunRequest request, RunConfig config,
                                 std::string ns) {
  // This coroutine has its own thread (see CompiledGraph::run); it handles cancellation itself.
  co_await boost::asio::this_coro::throw_if_cancelled(false);
  RunLoop loop(std::move(def), std::move(request), std::move(config), std::move(ns));
  auto running = loop.run();
  RunResult result = co_await std::move(running);
  co_return result;
}

}  // namespace weft::detail
