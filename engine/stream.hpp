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
};
std::string_view to_string(StreamMode mode) noexcept;

/// A set of StreamModes (bit mask). all_stream_modes selects every mode.
using StreamModes = unsigned;
inline constexpr StreamModes all_stream_modes = 0xFu;
constexpr StreamModes operator|(StreamMode a, StreamMode b) noexcept {
  return static_cast<unsigned>(a) | static_cast<unsigned>(b);
}
constexpr StreamModes operator|(StreamModes a, StreamMode b) noexcept { return a | static_cast<unsigned>(b); }

struct StreamEvent {
  StreamMode mode = StreamMode::values;
  std::string ns;        ///< "" for the root graph, "node:task_id|..." inside subgraphs
  std::string node;      ///< emitting node ("" for values events)
  std::int64_t step = 0; ///< superstep the event belongs to
  boost::json::value data;
};

/// Receives events, in order, on the run's executor. Must not block for long (the run waits).
/// An exception thrown by the sink fails the run.
using StreamSink = std::function<void(const StreamEvent&)>;

}  // namespace weft
