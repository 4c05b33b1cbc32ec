// SPDX-License-Identifier: MIT
#pragma once
// The records the engine hands to a Checkpointer and gets back from it.
//
// A checkpoint is the state of one thread at the *start* of a superstep: the channel values, what
// runs next, and metadata. The engine describes each checkpoint as a list of per-channel deltas
// against its parent, so a store can write only what a step changed (an append channel stores the
// appended items, an untouched channel stores nothing) and fold the deltas back on load. Every
// put also passes the full values so a store may write a snapshot whenever it likes.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace weft {

/// How one channel changed in one step. The store keeps deltas opaque and folds them with
/// apply_delta(); the kinds are closed so folding never needs the graph that produced them.
enum class DeltaOp {
  replace,         ///< the channel's value is now `value`
  append,          ///< `value` is an array whose items are appended to the channel's array
  merge_object,    ///< `value` is an object whose keys are set on the channel's object (shallow)
  merge_messages,  ///< `value` is an array of messages merged by "id": same id replaces, a
                   ///< {"type":"remove","id":X} item deletes X, a new id appends
  remove,          ///< the channel no longer has a value
};

/// Stable text names for DeltaOp ("replace", "append", "merge_object", "merge_messages",
/// "remove"), used in storage formats. parse_delta_op returns nullopt for an unknown name.
std::string_view to_string(DeltaOp op) noexcept;
std::optional<DeltaOp> parse_delta_op(std::string_view name) noexcept;

struct ChannelDelta {
  std::string channel;
  DeltaOp op = DeltaOp::replace;
  boost::json::value value;  // null for DeltaOp::remove
};

/// Applies one delta to a state object in place. Throws std::invalid_argument naming the channel
/// when the delta does not fit the current value (append to a non-array, malformed message).
/// Pure function; thread safety is the caller's (no shared state). Merging messages scans the
/// channel for each message's id: to fold many deltas onto one state, use a StateFolder.
void apply_delta(boost::json::object& values, const ChannelDelta& delta);

/// Applies deltas one after another to one state, like apply_delta, but remembers each messages
/// channel's id -> position index between calls, so merging k messages into a channel of n costs
/// O(k) instead of O(n) (a removal rebuilds the index on the next merge). The index trusts that
/// the state's messages channels change only through this folder; after changing or replacing
/// them any other way, call reset(). One folder serves one state at a time; not thread safe.
class StateFolder {
 public:
  StateFolder();
  ~StateFolder();
  StateFolder(StateFolder&&) noexcept;
  StateFolder& operator=(StateFolder&&) noexcept;

  /// As apply_delta(values, delta), with the same errors.
  void apply(boost::json::object& values, const ChannelDelta& delta);
  /// Forgets every index (they are rebuilt when next needed).
  void reset() noexcept;

  struct MessageIds;  // internal

 private:
  std::vector<std::pair<std::string, std::unique_ptr<MessageIds>>> channels_;
};

/// Why a checkpoint was written (LangGraph's metadata.source).
enum class CheckpointSource { input, loop, update, fork };
std::string_view to_string(CheckpointSource source) noexcept;
std::optional<CheckpointSource> parse_checkpoint_source(std::string_view name) noexcept;

/// One checkpoint, as written by the engine. `id` sorts in creation order within a thread
/// (so "latest" is the greatest id); `parent_id` is empty for a thread's first checkpoint.
struct CheckpointRecord {
  std::string thread_id;
  std::string ns;  ///< "" for the root graph; "node:task_id" (joined by '|') for subgraphs
  std::string id;
  std::string parent_id;
  std::int64_t step = -1;  ///< -1 for the input checkpoint, then +1 per superstep
  CheckpointSource source = CheckpointSource::loop;
  std::int64_t created_at_ms = 0;  ///< Unix epoch, milliseconds
  boost::json::object metadata;    ///< run_id, graph name, user metadata; never secrets
  /// Engine-owned description of what runs next (triggered nodes, barriers, pending Sends with
  /// their payloads, interrupt bookkeeping). Stores keep it verbatim; it is written once per
  /// checkpoint, so Send payloads are never copied into later checkpoints.
  boost::json::object next;
  /// Changes relative to the parent checkpoint, in application order.
  std::vector<ChannelDelta> deltas;
};

/// Special channels in pending writes (LangGraph's reserved keys).
inline constexpr std::string_view kErrorChannel = "__error__";
inline constexpr std::string_view kInterruptChannel = "__interrupt__";
inline constexpr std::string_view kResumeChannel = "__resume__";
inline constexpr std::string_view kNoWritesChannel = "__no_writes__";

struct ChannelWrite {
  std::string channel;
  boost::json::value value;
};

/// The writes one task produced during the step that starts at `checkpoint_id`, saved the moment
/// the task finishes so a crashed or failed step re-runs only its unfinished tasks.
struct TaskWrites {
  std::string thread_id;
  std::string ns;
  std::string checkpoint_id;
  std::string task_id;    ///< deterministic: the same task after a crash has the same id
  std::string task_name;  ///< the node name
  std::vector<ChannelWrite> writes;
};

/// A checkpoint as read back: the record (deltas may be empty), the folded channel values, and
/// the pending writes saved against it (empty once a later checkpoint consumed them, unless the
/// store keeps them for inspection).
struct CheckpointTuple {
  CheckpointRecord record;
  boost::json::object values;
  std::vector<TaskWrites> pending_writes;
};

}  // namespace weft
