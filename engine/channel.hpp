// SPDX-License-Identifier: MIT
#pragma once
// Channels: how the writes of one superstep combine into a state key (LangGraph's reducers).
//
// Every key of a graph's state has one channel kind, declared in the StateGraph schema. The
// engine folds the writes of a step into the key at the barrier, in deterministic task order.

#include <boost/json/value.hpp>

#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace weft {

enum class ChannelKind {
  /// The key holds the last written value. Two writes in one step is an error
  /// (engine::error::concurrent_update) naming the key and the writing nodes.
  last_value,
  /// The key holds an array; a written array's items are appended, any other value is appended
  /// as one item. Absent means [].
  append,
  /// The key holds an array of message objects merged by "id" (LangGraph's add_messages): a new
  /// id appends, a known id replaces in place, {"type":"remove","id":X} deletes X. A written
  /// message without an "id" gets one derived from the writing task's id, so it is deterministic.
  messages,
  /// The key holds a number; each write (a number) is added. Absent means 0. Integers stay
  /// integers until a double is added.
  counter,
  /// The key holds an object; each write (an object) is merged in shallowly, later keys win.
  object_merge,
  /// The key is folded with a user reducer: value = reducer(value, write) for each write, in
  /// task order. `current` is null when the key is absent.
  reducer,
};

/// Stable names ("last_value", "append", "messages", "counter", "object_merge", "reducer").
std::string_view to_string(ChannelKind kind) noexcept;

/// A user reducer: returns the new value of a key from its current value and one write.
/// Must be a pure function of its arguments: it may run again when a step is re-run.
using Reducer = std::function<boost::json::value(boost::json::value current, boost::json::value update)>;

/// One key's channel. `reducer` is used only (and required) when kind == ChannelKind::reducer.
struct Channel {
  ChannelKind kind = ChannelKind::last_value;
  Reducer reducer;

  static Channel last_value() { return {ChannelKind::last_value, {}}; }
  static Channel append() { return {ChannelKind::append, {}}; }
  static Channel messages() { return {ChannelKind::messages, {}}; }
  static Channel counter() { return {ChannelKind::counter, {}}; }
  static Channel object_merge() { return {ChannelKind::object_merge, {}}; }
  static Channel custom(Reducer reducer) { return {ChannelKind::reducer, std::move(reducer)}; }
};

/// A state schema: key -> channel. Ordered, so iteration (and thus deltas) is deterministic.
using Schema = std::map<std::string, Channel, std::less<>>;

}  // namespace weft
