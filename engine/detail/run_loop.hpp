// SPDX-License-Identifier: MIT
#pragma once
// The superstep loop (LangGraph's Pregel loop) as an object whose phases are methods: start (load
// or begin the thread), answer a resume, plan a step, replay its saved writes, run it, apply its
// writes at the barrier, checkpoint, pause after it, finish. run() strings them together.
//
// One RunLoop serves one invocation (run or resume) of one graph in one namespace, on the run's
// executor; nothing here is locked (see run_state.hpp).

#include "engine/detail/checkpoints.hpp"
#include "engine/detail/channels.hpp"
#include "engine/detail/run_state.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

namespace weft::detail {

class RunLoop {
 public:
  /// Resolves the stores and the clock; throws nothing.
  RunLoop(std::shared_ptr<const GraphDef> def, RunRequest request, RunConfig config, std::string ns);
  RunLoop(const RunLoop&) = delete;
  RunLoop& operator=(const RunLoop&) = delete;

  /// Runs the invocation to its end. Throws weft::Error for misuse (no thread id with a
  /// checkpointer, nothing to resume, a bad resume value) and for store failures before the first
  /// step; node failures come back in the result. Call once, from the run's own coroutine thread.
  boost::asio::awaitable<RunResult> run();

 private:
  // ---- start (run_loop.cpp) ----
  /// Takes the lease (root) and loads the checkpoint to continue from, positioning the cursor.
  boost::asio::awaitable<void> load();
  /// New input: applied as the "input" checkpoint, START's routes planned.
  boost::asio::awaitable<void> start_with_input();
  /// A resume: answers, the command's writes, a fork's checkpoint.
  boost::asio::awaitable<void> continue_thread();
  /// Matches a resume value to the pending interrupts (by id, or the only one).
  void answer_resume(const boost::json::value& answer, bool fork);
  /// Marshals RunConfig::stop onto the executor.
  void watch_stop(boost::asio::any_io_executor executor);

  // ---- a step (run_step.cpp) ----
  /// Whether the loop ends before `step` (nothing planned, a sink error, a cancel, the limit).
  bool ends_before(std::int64_t step, bool cancelled);
  /// Builds the step's tasks from the plan; returns the deferred part of the plan, held back.
  Plan plan_step(std::int64_t step);
  /// interrupt_before breakpoints; true when the run pauses before the step.
  bool interrupt_before();
  /// Settles the tasks whose outcome was saved against the checkpoint (the first step of a resume).
  void replay_pending();
  /// Reads the finished step: a failure, a cancel, interrupts, a Command for the parent graph.
  /// True when the run ends here.
  bool ends_after(std::int64_t step);
  /// Applies the step's writes in task order and plans the next step; false if a write failed.
  bool barrier(std::int64_t step, Plan held, std::vector<ChannelDelta>& deltas);
  /// interrupt_after breakpoints; true when the run pauses after the step.
  bool interrupt_after();

  // ---- checkpoint and finish (run_checkpoint.cpp) ----
  /// Writes a checkpoint of the current values and plan, making it current.
  boost::asio::awaitable<void> checkpoint(CheckpointSource source, std::int64_t step, std::vector<ChannelDelta> deltas);
  /// checkpoint() when run_.persist.saves_inline(): no coroutine frame.
  void checkpoint_now(CheckpointSource source, std::int64_t step, std::vector<ChannelDelta> deltas);
  /// The record of the next checkpoint (numbered by the cursor), made current; not yet saved.
  CheckpointRecord next_checkpoint(CheckpointSource source, std::int64_t step, std::vector<ChannelDelta> deltas);
  /// The debug stream's "checkpoint" event for the current checkpoint.
  void emit_checkpoint(CheckpointSource source, std::int64_t step);
  /// Saves what the last step left unsaved, the thread status and held checkpoints.
  boost::asio::awaitable<void> finish();
  /// The end of finish(): the result's values, checkpoint id, next and step count.
  void finish_result();

  void emit_values(std::int64_t step);
  bool sink_failed(std::int64_t step);
  void fail(std::error_code code, std::string message, std::string node, std::int64_t step,
            std::exception_ptr exception);
  boost::asio::awaitable<void> set_status(ThreadStatus status, boost::json::object metadata);
  /// set_status() for a store that completes inline (or none): no coroutine frame.
  void set_status_now(ThreadStatus status, boost::json::object metadata);

  std::shared_ptr<RunShared> shared_;  // shared with the stop callback, which may outlive a step
  RunShared& run_;
  const GraphDef& def_;
  RunRequest request_;
  std::string label_;  // "graph 'x' (thread 'y')" for messages
  bool root_;

  std::unique_ptr<ThreadLease> lease_;
  std::optional<CheckpointTuple> loaded_;
  CheckpointCursor cursor_;
  std::shared_ptr<boost::json::object> values_ = std::make_shared<boost::json::object>();
  Plan plan_;
  std::vector<TaskWrites> pending_;
  boost::json::object answers_;          // interrupt id -> resume value
  std::unique_ptr<TaskRun> input_task_;  // a resume Command's update / goto / sends
  std::optional<std::stop_callback<std::function<void()>>> on_stop_;

  // The current step's tasks; they outlive the loop, which may end before the step's checkpoint
  // with writes still listed in run.writes_in_checkpoint.
  std::vector<std::unique_ptr<TaskRun>> tasks_;
  // Folds each step's writes into values_ with an index of message ids.
  StateFolder folder_;
  RunResult result_;
  std::int64_t steps_run_ = 0;
  bool first_step_ = true;
};

}  // namespace weft::detail
