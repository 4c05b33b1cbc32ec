// SPDX-License-Identifier: MIT
#pragma once
// Progress while a run goes: which step, which node, which conversation, tool calls, durable
// timers and rate-limit waits (with a countdown on a terminal), and the model's text as it
// streams. Everything goes to stderr (through a StatusLine), so stdout keeps only the result and
// `--json` stays parseable.

#include "cli/conversation_names.hpp"
#include "cli/graph_progress.hpp"
#include "cli/status_line.hpp"
#include "engine/stream.hpp"

#include <map>
#include <ostream>
#include <string>

namespace weft::http {
struct RateLimitEvent;
}

namespace weft::cli {

struct ProgressOptions {
  /// The --stream choice: "updates" (default: one line per finished node, plus tool calls and
  /// waits), "values" (also the state after each step), "debug" (also task starts/results and
  /// checkpoints).
  std::string mode = "updates";
  /// Terminal or plain (default plain: append-only lines, no control characters).
  TerminalMode terminal;
  /// Show the model's text as it streams (`messages` events); false with --no-stream. Default true.
  bool stream_text = true;
  /// The graph being run, for its progress ("triaged 7 of 20"). Default "" (none).
  std::string graph;
};

/// Turns stream events into lines and the status line. Not thread-safe: the engine calls the sink
/// on the run's executor, one event at a time, and the rate-limit observer runs there too.
class ProgressPrinter {
 public:
  ProgressPrinter(std::ostream& out, std::string mode)
      : ProgressPrinter(out, ProgressOptions{std::move(mode), {}, true, {}}) {}
  ProgressPrinter(std::ostream& out, ProgressOptions options);
  void operator()(const StreamEvent& event);
  /// A line from outside the stream (sandbox start).
  void line(const std::string& text);
  /// An HTTP client's rate-limit wait or retry: a line, and a countdown with its reason.
  void rate_limit(const http::RateLimitEvent& event);
  /// Which StreamModes the printer needs.
  StreamModes modes() const;
  StatusLine& status() noexcept { return status_; }

 private:
  void on_updates(const StreamEvent& event);
  void on_custom(const StreamEvent& event);
  void on_debug(const StreamEvent& event);
  std::string about(const boost::json::value& data) const;
  void show_running(std::int64_t step);

  ProgressOptions options_;
  StatusLine status_;
  ConversationNames names_;
  GraphProgress graph_progress_;
  std::map<std::string, std::string> running_;  // task id -> node, from debug task events
  std::string timer_node_;                      // the node whose durable timer the countdown shows
};

/// `text` cut to `max` characters with "..." (UTF-8 safe: never cuts inside a code point).
std::string truncate(const std::string& text, std::size_t max);

}  // namespace weft::cli
