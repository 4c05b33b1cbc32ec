// SPDX-License-Identifier: MIT
#pragma once
// Private: the engine's token stream (StreamMode::messages: {"delta": text} per piece, with the
// emitting node and task) as the LangGraph Server API sends it. Two stream modes ask for it:
//   "messages-tuple": event `messages`, data [AIMessageChunk {type, content: delta, id},
//                     metadata {langgraph_node, langgraph_step, langgraph_task_id,
//                     langgraph_checkpoint_ns, run_id, thread_id, tags}] per piece; the SDK's
//                     useStream concatenates the chunks of one id.
//   "messages":       `messages/metadata` {id: {metadata}} when a message starts, then
//                     `messages/partial` [the message so far] per piece, and `messages/complete`
//                     [the whole message] when its task has finished (LangGraph's older mode).
// A message is one task's text: its id is "run-<task id>", stable across a crash and replay.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace weft::server::detail {

class MessageEvents {
 public:
  /// `push(event, data)` receives the SSE events; `tuples`/`partials` say which of the two modes
  /// the client asked for. Used on the run's thread only.
  MessageEvents(std::string run_id, std::string thread_id, bool tuples, bool partials,
                std::function<void(std::string, const boost::json::value&)> push);

  /// A piece of text of task `task_id` (node `node`, superstep `step`).
  void token(const std::string& task_id, const std::string& node, std::int64_t step, const std::string& delta);
  /// Node `node` has finished a task of superstep `step` (its `updates` event): its messages are
  /// complete.
  void node_finished(const std::string& node, std::int64_t step);
  /// The run has ended: every message still open is complete.
  void finish_all();

 private:
  struct Open {
    std::string node;
    std::int64_t step = 0;
    std::string text;
  };
  boost::json::object metadata(const std::string& task_id, const Open& message) const;
  void complete(const std::string& task_id, const Open& message);

  std::string run_id_;
  std::string thread_id_;
  bool tuples_;
  bool partials_;
  std::function<void(std::string, const boost::json::value&)> push_;
  std::map<std::string, Open> open_;  ///< by task id
};

}  // namespace weft::server::detail
