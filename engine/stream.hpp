// SPDX-License-Identifier: MIT
#pragma once
// Streaming: events a run emits while it progresses (LangGraph's stream modes).

#include <boost/json/value.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace weft {

enum class StreamMode : unsigned {
  values = 1u << 0,   ///< the full state after each step (and the input), data = object
  updates = 1u << 1,  ///< each finished task: data = {node: update}; interrupts: {"__interrupt__": [...]}
  custom = 1u << 2,   ///< whatever a node passes to NodeContext::emit
  debug = 1u << 3,    ///< data = {"type": "task"|"task_result"|"checkpoint", "payload": {...}}
  /// Text a node's model produces, piece by piece as it arrives (LangGraph's "messages" mode):
  /// data = {"delta": string}; `node` and `task_id` say whose text it is. Sent through
  /// NodeContext::emit_token; a node asks NodeContext::streams(StreamMode::messages) first so it
  /// turns on a model's streaming only when someone listens. The concatenated deltas of one task
  /// equal the text the node received; a task replayed from the journal sends none.
  messages = 1u << 4,
};
std::string_view to_string(StreamMode mode) noexcept;

/// A set of StreamModes (bit mask). all_stream_modes selects every mode.
using StreamModes = unsigned;
inline constexpr StreamModes all_stream_modes = 0x1Fu;
constexpr StreamModes operator|(StreamMode a, StreamMode b) noexcept {
  return static_cast<unsigned>(a) | static_cast<unsigned>(b);
}
constexpr StreamModes operator|(StreamModes a, StreamMode b) noexcept { return a | static_cast<unsigned>(b); }

struct StreamEvent {
  StreamMode mode = StreamMode::values;
  std::string ns;         ///< "" for the root graph, "node:task_id|..." inside subgraphs
  std::string node;       ///< emitting node ("" for values events)
  std::int64_t step = 0;  ///< superstep the event belongs to
  boost::json::value data;
  std::string task_id;  ///< the emitting task (custom and messages events), "" otherwise
};

// Events the engine itself sends as `custom` (beside what nodes emit), so a front end can show them:
//   {"event": "timer", "key": K, "until_ms": T, "remaining_ms": R}
//     NodeContext::sleep_durably is about to wait R ms, until Unix time T (ms), under journal key K.

/// Receives events, in order, on the run's executor. Must not block for long (the run waits).
/// An exception thrown by the sink fails the run.
using StreamSink = std::function<void(const StreamEvent&)>;

}  // namespace weft
