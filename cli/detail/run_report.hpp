// SPDX-License-Identifier: MIT
#pragma once
// Printing a RunResult (run, resume, fork): the summary or the pending question on stdout (or
// one JSON object with --json), and the exit code that says done / waiting for a human / failed.

#include "engine/run_result.hpp"

#include <boost/json/object.hpp>

#include <ostream>
#include <string>

namespace weft::cli::detail {

/// Prints `result` of the run on `thread_id` and returns kExitDone, kExitDoneWithFailures (see
/// finished_status), kExitInterrupted or kExitFailed. A failure is also one line on `err` ("weft: error: ...") that says how to resume.
int report_run(const RunResult& result, const std::string& thread_id, const std::string& graph, bool json,
               std::ostream& out, std::ostream& err);

/// The status word of a finished run with final `values`: "done", or "done_with_failures" when
/// values["outcome"]["status"] is a string other than "ok" (the graph's own account of a run
/// whose actions failed or whose model refused).
std::string finished_status(const boost::json::object& values);

/// Prints a thread that had already reached its end (`weft resume` of a done thread): its summary
/// (or the --json object) and returns kExitDone or kExitDoneWithFailures as report_run would.
int report_finished_thread(const boost::json::object& values, const std::string& thread_id, const std::string& graph,
                           bool json, std::ostream& out, std::ostream& err);

}  // namespace weft::cli::detail
