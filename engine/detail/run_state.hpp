// SPDX-License-Identifier: MIT
#pragma once
// The state of one run (one invocation of run/resume) and of its tasks. Private to the engine.
//
// All of it is touched only from the run's executor (see CompiledGraph::run), so nothing here is
// locked; the one cross-thread entry, RunConfig::stop, is marshalled onto the executor.

#include "engine/compiled_graph.hpp"
#include "engine/detail/graph_def.hpp"
#include "engine/node_context.hpp"
#include "engine/run_config.hpp"
#include "engine/run_result.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

namespace weft::detail {

struct RunShared;

/// Reserved channels in task writes, besides the state keys and checkpoint.hpp's k*Channel.
inline constexpr std::string_view kBranchPrefix = "branch:to:";     ///< value null: goto that node
inline constexpr std::string_view kSendChannel = "__pregel_tasks";  ///< value {"node","arg"}
/// A Command for the parent graph: {"update","goto","sends"} (no other write of the task).
inline constexpr std::string_view kParentCommandChannel = "__parent_command__";

/// What a NodeContext points at.
struct TaskState {
  RunShared* run = nullptr;  ///< outlives the task
  std::string id;
  std::string node;
  std::int64_t step = 0;
  int attempt = 1;
  /// Answers already consumed by this task's interrupt() calls, by call index.
  boost::json::array resume_values;
  /// New answers, by interrupt id (a node's own interrupts, or a subgraph's).
  boost::json::object resume_map;
  /// interrupt() calls so far in the current attempt.
  std::size_t interrupt_index = 0;
};

struct NodeContextAccess {
  static TaskState& task(const NodeContext& context) { return *context.task_; }
};

/// Thrown by NodeContext::interrupt (and by a subgraph node whose graph interrupted). Not a
/// std::exception, so nodes' catch(const std::exception&) does not swallow it.
struct InterruptSignal {
  std::vector<Interrupt> interrupts;
};

/// What runs in the next superstep; stored as CheckpointRecord::next.
struct Plan {
  std::vector<std::string> pull;                          ///< node names, sorted, unique
  std::vector<Send> sends;                                ///< in send order
  std::map<std::string, std::vector<std::string>> joins;  ///< barrier key -> sources arrived (sorted)

  bool empty() const noexcept { return pull.empty() && sends.empty(); }
  std::vector<std::string> next_names() const;
  boost::json::object to_json() const;
  static Plan from_json(const boost::json::object& next);
};

enum class TaskStatus { pending, succeeded, interrupted, failed, cancelled };

/// One task of a superstep and its outcome.
struct TaskRun {
  std::size_t node_index = 0;
  bool push = false;
  std::size_t send_index = 0;
  std::shared_ptr<const boost::json::object> push_arg;  ///< a Send's input
  std::shared_ptr<TaskState> state;
  TaskStatus status = TaskStatus::pending;
  bool reused = false;  ///< outcome taken from the checkpoint's pending writes

  boost::json::object update;  ///< normalized state writes
  std::vector<std::string> gotos;
  std::vector<Send> sends;
  std::vector<Interrupt> interrupts;
  /// A succeeded task's Command for the parent graph (Command::Graph::parent), graph reset to
  /// current; the task then has no update, gotos or sends of its own.
  std::optional<Command> parent_command;
  std::string cache_key;      ///< the hashed input, when the node has a CachePolicy and a cache
  std::string cache_request;  ///< the digest of that input, recorded with the result (see settle_from_cache)
  bool from_cache = false;    ///< the outcome was replayed from the node cache
  std::exception_ptr error;
  std::error_code error_code;
  std::string error_message;

  boost::asio::cancellation_signal cancel;
};

/// Hands checkpoints and task writes to the checkpointer, honouring the durability mode: with
/// Durability::exit it holds them and writes only the last checkpoint (its deltas folded from
/// every held one) and the writes against it when the run ends (flush()).
struct Persister {
  Checkpointer* checkpointer = nullptr;
  Durability durability = Durability::async;
  std::optional<CheckpointRecord> held;
  std::vector<TaskWrites> held_writes;

  /// Whether a save completes without suspending: no store, exit durability (held here), or a
  /// store whose operations complete inline (Checkpointer::completes_inline). The hot paths then
  /// call checkpoint_now / writes_now, with no coroutine frame per step.
  bool saves_inline() const noexcept { return durability == Durability::exit || store_completes_inline(); }
  /// No store, or one whose every operation completes inline: its synchronous operations may be
  /// called from the run's executor.
  bool store_completes_inline() const noexcept { return checkpointer == nullptr || checkpointer->completes_inline(); }
  /// Requires saves_inline(). Errors as the store's put_checkpoint / put_writes.
  void checkpoint_now(CheckpointRecord record, const boost::json::object& values);
  void writes_now(TaskWrites writes);
  /// Any store: through the checkpointer's awaitable operations (the run's executor never
  /// blocks on a store that suspends); `values` must stay valid until the awaitable completes.
  boost::asio::awaitable<void> checkpoint(CheckpointRecord record, const boost::json::object* values);
  boost::asio::awaitable<void> writes(TaskWrites writes);
  /// Writes what exit durability held back; `values` are the latest state.
  boost::asio::awaitable<void> flush(const boost::json::object* values);
  /// flush() when store_completes_inline(): no coroutine frame.
  void flush_now(const boost::json::object& values);
};

/// Everything one invocation shares with its tasks.
struct RunShared {
  std::shared_ptr<const GraphDef> def;
  RunConfig config;
  std::shared_ptr<Checkpointer> checkpointer;
  std::shared_ptr<EffectJournal> journal;
  std::shared_ptr<Clock> clock;
  std::string ns;
  Persister persist;
  bool cancelled = false;
  std::vector<TaskRun*> in_flight;
  /// The step's last task to finish, when it and every sibling succeeded: its writes are not put
  /// on their own but travel as the step checkpoint's deltas (one commit per step). If the step
  /// ends without that checkpoint (a failed barrier, a cancel, a sink error), the run loop puts
  /// them before it reports. Points into the run loop's task list; cleared by the checkpoint.
  std::vector<const TaskRun*> writes_in_checkpoint;
  std::string writes_in_checkpoint_id;  ///< the checkpoint those tasks' step started from
  /// The first exception thrown by the stream sink; the run fails at the next step boundary.
  std::exception_ptr sink_error;

  bool wants(StreamMode mode) const noexcept {
    return config.stream && (config.stream_modes & static_cast<unsigned>(mode)) != 0;
  }
  /// Sends one event to the sink; a throwing sink is recorded in sink_error, never propagated.
  void emit(StreamMode mode, std::string node, std::int64_t step, boost::json::value data, std::string task_id = {});
  bool stop_requested() const noexcept { return cancelled || config.stop.stop_requested(); }
  /// Marks the run cancelled and cancels every in-flight async task.
  void request_cancel();
};

/// How a run starts.
struct RunRequest {
  bool resume = false;        ///< false: `input` is new input; true: continue from a checkpoint
  boost::json::object input;  ///< new input (resume == false)
  Command command;            ///< resume command (resume == true)
  /// A subgraph's run: where it hands a Command::Graph::parent command when one ends it.
  std::shared_ptr<std::optional<Command>> parent_command;
};

/// The run loop (run_loop.cpp). `ns` is "" at the root. Never throws for node failures.
boost::asio::awaitable<RunResult> execute_run(std::shared_ptr<const GraphDef> def, RunRequest request, RunConfig config,
                                              std::string ns);

/// The body of a subgraph node (subgraph.cpp).
boost::asio::awaitable<Command> run_subgraph_node(std::shared_ptr<const GraphDef> subgraph, StateView state,
                                                  NodeContext context);

}  // namespace weft::detail
