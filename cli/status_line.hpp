// SPDX-License-Identifier: MIT
#pragma once
// The run's progress on stderr. On a terminal: permanent lines scroll above one live status line
// (elapsed time, step and node, graph progress, a countdown) that is redrawn in place at most 10
// times a second. Elsewhere (a file, a pipe): the same permanent lines appended, no status line
// and no control characters. Streamed model text goes between them.
//
// Every piece of text passes through printable() first: model output, nicknames and subjects are
// untrusted and must not reach the terminal as escape sequences.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace weft::cli {

/// How stderr is shown. Decided once per process by detect_terminal().
struct TerminalMode {
  bool live = false;   ///< stderr is a terminal: draw the status line (default false)
  bool color = false;  ///< use colour: only when live, never with NO_COLOR or TERM=dumb (default false)
  int width = 80;      ///< terminal columns; the status line is cut to fit (default 80)
};

/// `text` with every control character (C0, DEL, and C1 as UTF-8) removed except '\n' and '\t'
/// when `keep_newlines` (tabs become spaces otherwise). Pure.
std::string printable(std::string_view text, bool keep_newlines = false);

/// Not thread-safe: one run's executor drives it (stream sink, rate-limit observer, ticker).
class StatusLine {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  using Now = std::function<TimePoint()>;

  /// Writes on `out`. `now` defaults to steady_clock::now (tests inject one).
  StatusLine(std::ostream& out, TerminalMode mode, Now now = {});

  const TerminalMode& mode() const noexcept { return mode_; }

  /// A permanent line (no trailing newline needed). `emphasis`: 0 none, 1 good, 2 attention.
  void print(std::string_view line, int emphasis = 0);
  /// A piece of streamed text from speaker `key` (a task id), shown as `label` (its node): the
  /// first piece of a new speaker starts a new line "label: "; the status line stays hidden until
  /// end_text().
  void text(std::string_view key, std::string_view label, std::string_view piece);
  /// Ends streamed text (a newline if it did not end with one); a no-op when none is open.
  void end_text();

  /// What the status line shows.
  void set_step(std::int64_t step, std::string nodes);
  void set_progress(std::string progress);
  /// A wait until `deadline` (steady clock) with its reason; replaces any previous one.
  void set_countdown(TimePoint deadline, std::string reason);
  void clear_countdown();

  /// Redraws the status line when something changed or a second went by, at most every 100 ms.
  /// Called by the run's ticker; a no-op when not live.
  void tick();
  /// Erases the status line for good (the run ended). Idempotent.
  void finish();

  /// How many times the status line was drawn (for tests and the redraw bound).
  std::int64_t redraws() const noexcept { return redraws_; }
  /// True once a write to `out` failed (a closed pipe): the caller stops the run.
  bool broken() const noexcept { return !out_.good(); }

 private:
  std::string render() const;
  void erase();
  void draw();
  std::string paint(std::string_view text, const char* sgr) const;

  std::ostream& out_;
  TerminalMode mode_;
  Now now_;
  TimePoint started_;
  std::optional<TimePoint> last_draw_;
  std::string last_drawn_;  // what the status line showed last
  bool shown_ = false;      // the status line is on screen now
  bool dirty_ = true;       // its content changed since it was drawn
  bool finished_ = false;
  std::int64_t redraws_ = 0;
  std::int64_t step_ = -1;
  std::string nodes_;
  std::string progress_;
  std::optional<TimePoint> deadline_;
  std::string wait_reason_;
  std::string speaker_;  // the task whose text is streaming, "" when none
  bool text_at_line_start_ = true;
};

}  // namespace weft::cli
