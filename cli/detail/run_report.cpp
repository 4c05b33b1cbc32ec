#include "cli/detail/run_report.hpp"

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

json::object interrupt_json(const Interrupt& i) {
  json::object o;
  o["id"] = i.id;
  o["node"] = i.node;
  o["value"] = i.value;
  return o;
}

}  // namespace

int report_run(const RunResult& result, const std::string& thread_id, const std::string& graph, bool as_json,
               std::ostream& out, std::ostream& err) {
  const json::value* summary = result.values.if_contains("summary");
  if (as_json) {
    json::object o;
    o["version"] = weft_version();
    o["thread_id"] = thread_id;
    o["graph"] = graph;
    o["status"] = std::string(to_string(result.status));
    o["summary"] = summary ? *summary : json::value(nullptr);
    o["checkpoint_id"] = result.checkpoint_id;
    o["steps"] = result.steps;
    json::array interrupts;
    for (const auto& i : result.interrupts) interrupts.push_back(interrupt_json(i));
    o["interrupts"] = std::move(interrupts);
    if (result.error) {
      json::object e;
      e["message"] = result.error->message;
      e["node"] = result.error->node;
      e["step"] = result.error->step;
      o["error"] = std::move(e);
    }
    o["values"] = result.values;
    out << json::serialize(o) << "\n";
  }
  switch (result.status) {
    case RunStatus::done:
      if (!as_json) {
        out << (summary && summary->is_string() ? std::string(summary->as_string()) : std::string("(no summary)")) << "\n";
        err << "done: thread " << thread_id << " (" << graph << "), " << result.steps << " steps\n";
      }
      return kExitDone;
    case RunStatus::interrupted:
      if (!as_json) render_questions(out, result.interrupts, thread_id, graph);
      return kExitInterrupted;
    case RunStatus::failed:
      err << "weft: error: " << one_line(result.error ? result.error->message : std::string("the run failed"))
          << "; the thread is kept: fix the cause, then 'weft resume " << thread_id << "'\n";
      return kExitFailed;
  }
  return kExitFailed;
}

}  // namespace weft::cli::detail
