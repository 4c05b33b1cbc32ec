// SPDX-License-Identifier: MIT
#include "cli/status_line.hpp"

namespace weft::cli {

namespace {

constexpr auto kMinRedrawInterval = std::chrono::milliseconds(100);  // at most 10 redraws a second
constexpr const char* kEraseLine = "\r\x1b[K";

std::string clock_text(std::chrono::steady_clock::duration d) {
  const auto total = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  const auto minutes = total / 60;
  const auto seconds = total % 60;
  return std::to_string(minutes) + ":" + (seconds < 10 ? "0" : "") + std::to_string(seconds);
}

// Cuts `text` to `columns` code points (the status line must stay on one row).
std::string fit(const std::string& text, int columns) {
  if (columns < 1) return {};
  int count = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && ++count > columns) return text.substr(0, i);
  }
  return text;
}

}  // namespace

std::string printable(std::string_view text, bool keep_newlines) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c == '\n' || c == '\t') && keep_newlines) {
      out += static_cast<char>(c);
    } else if (c == '\t' || c == '\n') {
      out += ' ';
    } else if (c < 0x20 || c == 0x7F) {
      continue;
    } else if (c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(text[i + 1]) <= 0x9F) {
      ++i;  // a C1 control (U+0080..U+009F), e.g. CSI
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

StatusLine::StatusLine(std::ostream& out, TerminalMode mode, Now now)
    : out_(out),
      mode_(mode),
      now_(now ? std::move(now) : Now([] { return std::chrono::steady_clock::now(); })),
      started_(now_()) {}

std::string StatusLine::paint(std::string_view text, const char* sgr) const {
  if (!mode_.color || !sgr) return std::string(text);
  return std::string("\x1b[") + sgr + "m" + std::string(text) + "\x1b[0m";
}

void StatusLine::erase() {
  if (!shown_) return;
  out_ << kEraseLine;
  shown_ = false;
}

void StatusLine::print(std::string_view line, int emphasis) {
  end_text();
  erase();
  const char* sgr = emphasis == 1 ? "32" : emphasis == 2 ? "33" : nullptr;
  out_ << paint(printable(line), sgr) << "\n";
  dirty_ = true;
  tick();
  out_ << std::flush;
}

void StatusLine::text(std::string_view key, std::string_view label, std::string_view piece) {
  std::string clean = printable(piece, true);
  if (clean.empty()) return;
  if (speaker_.empty() || speaker_ != key) {
    end_text();
    erase();
    speaker_ = key.empty() ? std::string(label) : std::string(key);
    out_ << paint(printable(label) + ": ", "1");
    text_at_line_start_ = false;
  }
  out_ << clean;
  text_at_line_start_ = clean.back() == '\n';
  out_ << std::flush;
}

void StatusLine::end_text() {
  if (speaker_.empty()) return;
  if (!text_at_line_start_) out_ << "\n";
  speaker_.clear();
  text_at_line_start_ = true;
  dirty_ = true;
}

void StatusLine::set_step(std::int64_t step, std::string nodes) {
  if (step == step_ && nodes == nodes_) return;
  step_ = step;
  nodes_ = printable(nodes);
  dirty_ = true;
}

void StatusLine::set_progress(std::string progress) {
  progress_ = printable(progress);
  dirty_ = true;
}

void StatusLine::set_countdown(TimePoint deadline, std::string reason) {
  deadline_ = deadline;
  wait_reason_ = printable(reason);
  dirty_ = true;
}

void StatusLine::clear_countdown() {
  if (!deadline_) return;
  deadline_.reset();
  wait_reason_.clear();
  dirty_ = true;
}

std::string StatusLine::render() const {
  const TimePoint now = now_();
  std::string line = "[" + clock_text(now - started_) + "]";
  if (step_ >= 0) line += " step " + std::to_string(step_);
  if (!nodes_.empty()) line += " " + nodes_;
  if (!progress_.empty()) line += " | " + progress_;
  if (deadline_ && *deadline_ > now) {  // an expired wait is over: not shown
    const auto left = *deadline_ - now;
    // Rounded up: "1 s left" until the wait is over, never "0 s left" while still waiting.
    const auto seconds =
        std::chrono::duration_cast<std::chrono::seconds>(left + std::chrono::milliseconds(999)).count();
    line += " | " + wait_reason_ + ": " + std::to_string(seconds) + " s left";
  }
  return fit(line, mode_.width - 1);
}

void StatusLine::draw() {
  std::string line = render();
  out_ << kEraseLine << paint(line, "2");
  shown_ = true;
  dirty_ = false;
  last_drawn_ = std::move(line);
  last_draw_ = now_();
  ++redraws_;
}

void StatusLine::tick() {
  if (!mode_.live || finished_ || !speaker_.empty()) return;
  const TimePoint now = now_();
  if (last_draw_ && now - *last_draw_ < kMinRedrawInterval) return;
  if (shown_ && !dirty_ && render() == last_drawn_) return;
  draw();
  out_ << std::flush;
}

void StatusLine::finish() {
  if (finished_) return;
  end_text();
  erase();
  finished_ = true;
  out_ << std::flush;
}

}  // namespace weft::cli
