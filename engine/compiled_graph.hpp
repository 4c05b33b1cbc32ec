// SPDX-License-Identifier: MIT
#pragma once
// CompiledGraph: an immutable, validated graph that runs. Cheap to copy (one shared_ptr) and
// safe to share between threads and concurrent runs; each run owns its own state.

#include "engine/channel.hpp"
#include "engine/command.hpp"
#include "engine/run_config.hpp"
#include "engine/run_result.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace weft {
namespace detail {
struct GraphDef;
struct CompiledGraphInternal;
}  // namespace detail

class CompiledGraph {
 public:
  /// Runs the graph. `input` is an object of state writes (applied through the channels, then
  /// START's edges fire) or null to continue the thread from its latest checkpoint (or
  /// config.checkpoint_id, forking when that is not the latest). Node failures, the recursion
  /// limit and cancellation do not throw: they end in status failed with RunError, and the thread
  /// stays resumable. Throws weft::Error only for misuse, before anything runs (no thread_id with
  /// a checkpointer, input neither object nor null or rejected by the schema, an unknown
  /// checkpoint_id), and for checkpointer failures. The rule: engine/README.md, "What throws".
  /// Tasks run as coroutines on the awaiting coroutine's executor, which must not run this run's
  /// handlers on several threads at once (use a single-threaded io_context or a strand).
  /// Cancellable through the awaiting coroutine's cancellation slot and RunConfig::stop.
  boost::asio::awaitable<RunResult> run(boost::json::value input, RunConfig config) const;

  /// Continues an interrupted thread: `command.resume` answers the pending interrupt(s) (a
  /// value, or {interrupt_id: value} when several are pending); `update` / `goto_nodes` /
  /// `sends` are applied as input writes first. Needs a checkpointer. Throws weft::Error, before
  /// anything runs or is written, for the caller's mistakes: an `update` the schema rejects
  /// (invalid_update), a goto or Send naming no node (invalid_route), a resume value matching no
  /// pending interrupt (invalid_resume), and as run(). The rule: engine/README.md.
  boost::asio::awaitable<RunResult> resume(Command command, RunConfig config) const;

  /// Blocking forms for simple programs and tests: run on a private io_context until done.
  RunResult invoke(boost::json::value input, RunConfig config = {}) const;
  RunResult invoke_resume(Command command, RunConfig config = {}) const;

  /// The state at config.checkpoint_id, or the thread's latest checkpoint; nullopt if the thread
  /// has none. Needs a checkpointer (engine::error::no_checkpointer). Blocking store calls.
  std::optional<StateSnapshot> get_state(const RunConfig& config) const;
  /// The thread's checkpoints, newest first (at most `limit`).
  std::vector<StateSnapshot> get_state_history(const RunConfig& config,
                                               std::optional<std::size_t> limit = std::nullopt) const;
  /// Writes `values` as if node `as_node` had returned them (its edges and routers then decide
  /// what runs next), on top of config.checkpoint_id or the latest checkpoint; saves a checkpoint
  /// with source "update" and returns its id. With as_node == "" the values are applied and what
  /// runs next is unchanged. Holds the thread's lease while it reads and writes, as a run does:
  /// while another run holds it, the store's error (store::error::thread_busy) is thrown, prefixed
  /// "update_state refused", and nothing is written. Throws weft::Error (checkpoint_not_found,
  /// invalid_update, ...).
  std::string update_state(const RunConfig& config, boost::json::object values, std::string as_node = {}) const;

  /// A Mermaid flowchart of the graph (`graph TD`), stable across runs: nodes in insertion order,
  /// conditional edges dotted and labelled with their path-map key.
  std::string to_mermaid() const;

  const std::string& name() const noexcept;
  const Schema& schema() const noexcept;
  /// Node names in insertion order.
  std::vector<std::string> node_names() const;

 private:
  friend struct detail::CompiledGraphInternal;
  explicit CompiledGraph(std::shared_ptr<const detail::GraphDef> def) noexcept : def_(std::move(def)) {}
  std::shared_ptr<const detail::GraphDef> def_;
};

}  // namespace weft
