// SPDX-License-Identifier: MIT
// The run loop's checkpoint and finish phases: numbering and saving checkpoints, the thread's
// status, saving what the last step left unsaved, and the run's result or failure.

#include "engine/detail/run_loop.hpp"

#include "engine/detail/task_writes.hpp"
#include "engine/error.hpp"

namespace weft::detail {
namespace {

using boost::asio::awaitable;

ThreadStatus thread_status(RunStatus status) {
  switch (status) {
    case RunStatus::done: return ThreadStatus::done;
    case RunStatus::interrupted: return ThreadStatus::interrupted;
    case RunStatus::failed: return ThreadStatus::failed;
  }
  return ThreadStatus::failed;
}

}  // namespace

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
}  // namespace weft::detail
