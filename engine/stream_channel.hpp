// SPDX-License-Identifier: MIT
#pragma once
// StreamChannel: a run's stream events pulled with `co_await next()`, beside the callback sink
// (RunConfig::stream). LangGraph's `for await (const chunk of graph.stream(...))`:
//
//   weft::StreamChannel events = weft::StreamChannel::start(executor, graph, input, config);
//   while (std::optional<weft::StreamEvent> event = co_await events.next()) { ... }
//   weft::RunResult result = events.result();
//
// Buffering: unbounded, by design. The engine hands events to a synchronous sink on the run's
// executor; a sink that waited for a slow consumer would block that executor, and with the
// consumer on the same thread (the usual case) never wake again. So events queue until pulled;
// memory grows only with what the run emits and the consumer has not read yet. A consumer that
// wants less stops reading: destroying the channel (or cancel()) cancels the run.

#include "engine/compiled_graph.hpp"
#include "engine/run_config.hpp"
#include "engine/run_result.hpp"
#include "engine/stream.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>

#include <memory>
#include <optional>

namespace weft {

class StreamChannel {
 public:
  /// Starts graph.run(input, config) on `executor`, with config.stream replaced by this channel
  /// (config.stream_modes still selects the modes). `executor` must be single-threaded (an
  /// io_context run by one thread, or a strand), and next() must be awaited on it. Errors the run
  /// would throw (misuse, checkpointer failures) are rethrown by next().
  static StreamChannel start(boost::asio::any_io_executor executor, CompiledGraph graph, boost::json::value input,
                             RunConfig config);

  StreamChannel(StreamChannel&&) noexcept;
  StreamChannel& operator=(StreamChannel&&) noexcept;
  StreamChannel(const StreamChannel&) = delete;
  StreamChannel& operator=(const StreamChannel&) = delete;
  /// Cancels the run if it is still going (as cancel()); does not wait for it to wind down: the
  /// run finishes on its executor, which keeps what it needs alive.
  ~StreamChannel();

  /// The next event, in the order the callback sink would have seen them; nullopt once the run
  /// has ended and every event was read. Rethrows the run's exception (if it threw) after the
  /// events. Cancellable through the awaiting coroutine's cancellation slot (throws
  /// operation_aborted; no event is lost, the next call continues). Completes on the channel's
  /// executor. One next() at a time.
  boost::asio::awaitable<std::optional<StreamEvent>> next();

  /// True once the run has ended (events may still be unread).
  bool finished() const noexcept;
  /// The run's result, once next() returned nullopt. Throws std::logic_error before the run has
  /// ended, or when it ended by throwing (next() rethrew that).
  const RunResult& result() const;
  /// Asks the run to stop (terminal cancellation): it ends failed with engine::error::cancelled;
  /// the events it emitted before are still delivered. Idempotent.
  void cancel();

 private:
  struct Shared;
  explicit StreamChannel(std::shared_ptr<Shared> shared) noexcept;
  std::shared_ptr<Shared> shared_;
};

}  // namespace weft
