// SPDX-License-Identifier: MIT
#include "cli/detail/run_report.hpp"

#include "cli/detail/thread_id.hpp"
#include "cli/exit_code.hpp"
#include "cli/render_question.hpp"
#include "cli/version.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace json = boost::json;

namespace weft::cli::detail {

namespace {

std::string one_line(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

const json::value* outcome_of(const json::object& values) {
  const json::value* outcome = values.if_contains("outcome");
  return outcome != nullptr && outcome->is_object() ? outcome : nullptr;
}

}  // namespace

std::string finished_status(const json::object& values) {
  if (const json::value* outcome = outcome_of(values)) {
    const json::value* status = outcome->get_object().if_contains("status");
    if (status != nullptr && status->is_string() && status->get_string() != "ok") return "done_with_failures";
  }
  return "done";
}

int report_finished_thread(const json::object& values, const std::string& thread_id, const std::string& graph,
                           bool as_json, std::ostream& out, std::ostream& err) {
  const json::value* summary = values.if_contains("summary");
  const std::string status = finished_status(values);
  if (as_json) {
    json::object o;
    o["version"] = weft_version();
    o["thread_id"] = thread_id;
    o["graph"] = graph;
    o["status"] = status;
    o["summary"] = summary ? *summary : json::value(nullptr);
    if (const json::value* outcome = outcome_of(values)) o["outcome"] = *outcome;
    out << json::serialize(utf8_safe(std::move(o))) << "\n";
  } else {
    out << (summary && summary->is_string() ? std::string(summary->as_string()) : std::string("(no summary)")) << "\n";
    err << "thread " << printable_text(thread_id) << " is already done"
        << (status == "done" ? "" : " (with failures, see the summary)") << "; nothing to resume\n";
  }
  return status == "done" ? kExitDone : kExitDoneWithFailures;
}

int report_run(const RunResult& result, const std::string& thread_id, const std::string& graph, bool as_json,
               std::ostream& out, std::ostream& err) {
  const json::value* summary = result.values.if_contains("summary");
  if (as_json) {
    json::object o;
    o["version"] = weft_version();
    o["thread_id"] = thread_id;
    o["graph"] = graph;
    o["status"] =
        result.status == RunStatus::done ? finished_status(result.values) : std::string(to_string(result.status));
    o["summary"] = summary ? *summary : json::value(nullptr);
    if (const json::value* outcome = outcome_of(result.values)) o["outcome"] = *outcome;
    o["checkpoint_id"] = result.checkpoint_id;
    o["steps"] = result.steps;
    o["interrupts"] = weft::to_json(result.interrupts);
    if (result.error) {
      json::object e;
      e["message"] = result.error->message;
      e["node"] = result.error->node;
      e["step"] = result.error->step;
      o["error"] = std::move(e);
    }
    o["values"] = result.values;
    out << json::serialize(utf8_safe(std::move(o))) << "\n";
  }
  switch (result.status) {
    case RunStatus::done: {
      const bool clean = finished_status(result.values) == "done";
      if (!as_json) {
        out << (summary && summary->is_string() ? std::string(summary->as_string()) : std::string("(no summary)"))
            << "\n";
        err << (clean ? "done" : "done with failures (see the summary)") << ": thread " << printable_text(thread_id)
            << " (" << graph << "), " << result.steps << " steps\n";
      }
      return clean ? kExitDone : kExitDoneWithFailures;
    }
    case RunStatus::interrupted:
      if (!as_json) render_questions(out, result.interrupts, printable_text(thread_id), graph);
      return kExitInterrupted;
    case RunStatus::failed:
      err << "weft: error: " << one_line(result.error ? result.error->message : std::string("the run failed"))
          << "; the thread is kept: fix the cause, then 'weft resume " << printable_text(thread_id) << "'\n";
      return kExitFailed;
  }
  return kExitFailed;
}

}  // namespace weft::cli::detail
