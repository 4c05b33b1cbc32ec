#pragma once
// Printing a RunResult (run, resume, fork): the summary or the pending question on stdout (or
// one JSON object with --json), and the exit code that says done / waiting for a human / failed.

#include "engine/run_result.hpp"

#include <ostream>
#include <string>

namespace weft::cli::detail {

/// Prints `result` of the run on `thread_id` and returns kExitDone, kExitInterrupted or
/// kExitFailed. A failure is also one line on `err` ("weft: error: ...") that says how to resume.
int report_run(const RunResult& result, const std::string& thread_id, const std::string& graph, bool json,
               std::ostream& out, std::ostream& err);

}  // namespace weft::cli::detail
