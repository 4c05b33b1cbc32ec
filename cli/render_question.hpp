// SPDX-License-Identifier: MIT
#pragma once
// A question for a human (an interrupt of a waiting run) shown as text people read: a draft
// article as a formatted article, a greeting as the visitor would see it, anything else as
// "key: value" lines; then the exact `weft resume` commands that answer it. `--json` never goes
// through here (the raw interrupt objects are printed instead).

#include "engine/run_result.hpp"

#include <ostream>
#include <string>
#include <vector>

namespace weft::cli {

/// Writes the questions of `interrupts` (pending on `thread_id` of `graph`) and the answer
/// commands to `out`. Untrusted text (model output, visitor data) is stripped of control
/// characters. Never throws on an unexpected shape: unknown values are printed as JSON.
void render_questions(std::ostream& out, const std::vector<Interrupt>& interrupts, const std::string& thread_id,
                      const std::string& graph);

/// `text` quoted for a POSIX shell: unchanged when it is only safe characters, else in single
/// quotes with each ' written as '\''. Pure.
std::string shell_quote(const std::string& text);

/// `text` wrapped at spaces to lines of at most `width` columns, each prefixed by `indent`;
/// existing newlines are kept. Pure.
std::string wrap(const std::string& text, std::size_t width, const std::string& indent);

}  // namespace weft::cli
