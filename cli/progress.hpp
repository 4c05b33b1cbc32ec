#pragma once
// Progress lines while a run goes: which step, which node, which tool calls, rate-limit waits.
// One line per event, on stderr, so stdout keeps only the result (`--json` stays parseable).

#include "engine/stream.hpp"

#include <ostream>
#include <string>

namespace weft::cli {

/// Turns stream events into lines on `out`. `mode` is the --stream choice: "updates" (default:
/// one line per finished node, plus tool calls), "values" (the state after each step), "debug"
/// (task start/finish and checkpoints too). Not thread-safe: the engine calls the sink on the
/// run's executor, one event at a time.
class ProgressPrinter {
 public:
  ProgressPrinter(std::ostream& out, std::string mode) : out_(out), mode_(std::move(mode)) {}
  void operator()(const StreamEvent& event);
  /// A line from outside the stream (rate-limit waits, sandbox start).
  void line(const std::string& text);
  /// Which StreamModes the printer needs.
  StreamModes modes() const;

 private:
  std::ostream& out_;
  std::string mode_;
};

/// `text` cut to `max` characters with "..." (UTF-8 safe: never cuts inside a code point).
std::string truncate(const std::string& text, std::size_t max);

}  // namespace weft::cli
