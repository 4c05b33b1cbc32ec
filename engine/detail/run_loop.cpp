// SPDX-License-Identifier: MIT
// The run loop's start phases (load, new input, continuing a thread, answering a resume), and
// run() which strings the phases together (a step's phases are in run_step.cpp, checkpoint and
// finish in run_checkpoint.cpp).

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
