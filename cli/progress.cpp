// SPDX-License-Identifier: MIT
#include "cli/progress.hpp"

#include "nodes/http/rate_limit_event.hpp"

#include <boost/json/serialize.hpp>

#include <ctime>

namespace json = boost::json;

namespace weft::cli {

std::string truncate(const std::string& text, std::size_t max) {
  if (text.size() <= max) return text;
  std::size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut) + "...";
}

namespace {

std::string string_member(const json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::int64_t int_member(const json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  if (!v) return 0;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->as_uint64());
  return 0;
}

std::string utc_time(std::int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%H:%M:%S", &tm);
  return buf;
}

std::string seconds_text(std::int64_t ms) {
  const std::int64_t tenths = (ms + 99) / 100;
  return tenths % 10 == 0 ? std::to_string(tenths / 10) + " s"
                          : std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " s";
}

}  // namespace

ProgressPrinter::ProgressPrinter(std::ostream& out, ProgressOptions options)
    : options_(std::move(options)), status_(out, options_.terminal), graph_progress_(options_.graph) {}

StreamModes ProgressPrinter::modes() const {
  StreamModes modes = StreamMode::updates | StreamMode::custom;
  if (options_.mode == "values") modes = modes | StreamMode::values;
  // On a terminal the task starts say which nodes are running now.
  if (options_.mode == "debug" || options_.terminal.live) modes = modes | StreamMode::debug;
  if (options_.stream_text) modes = modes | StreamMode::messages;
  return modes;
}

void ProgressPrinter::line(const std::string& text) { status_.print("  " + text); }

std::string ProgressPrinter::about(const json::value& data) const {
  std::string text;
  for (const auto& label : names_.about(data)) text += (text.empty() ? "" : "; ") + label;
  return text;
}

void ProgressPrinter::show_running(std::int64_t step) {
  std::map<std::string, int> counts;
  for (const auto& [task, node] : running_) ++counts[node];
  std::string nodes;
  for (const auto& [node, count] : counts) {
    nodes += (nodes.empty() ? "" : ", ") + node + (count > 1 ? " x" + std::to_string(count) : "");
  }
  status_.set_step(step, nodes);
}

void ProgressPrinter::operator()(const StreamEvent& event) {
  const std::string where = "step " + std::to_string(event.step);
  switch (event.mode) {
    case StreamMode::updates: on_updates(event); break;
    case StreamMode::custom: on_custom(event); break;
    case StreamMode::values: status_.print(where + "  state " + truncate(json::serialize(event.data), 200)); break;
    case StreamMode::debug: on_debug(event); break;
    case StreamMode::messages:
      if (const json::object* o = event.data.if_object(); o && options_.stream_text) {
        status_.text(event.task_id, event.node, string_member(*o, "delta"));
      }
      break;
  }
  status_.tick();
}

void ProgressPrinter::on_updates(const StreamEvent& event) {
  if (!event.data.is_object()) return;
  const std::string where = "step " + std::to_string(event.step);
  status_.end_text();
  for (const auto& [key, update] : event.data.as_object()) {
    const std::string node(key);
    if (node == "__interrupt__") {
      status_.print(where + "  waiting for a human" + (event.node.empty() ? "" : " at " + event.node) +
                        (about(update).empty() ? "" : "  [" + about(update) + "]"),
                    2);
      continue;
    }
    names_.learn(update);
    const bool counted = graph_progress_.on_update(node, update);
    status_.set_progress(graph_progress_.text());
    if (node == timer_node_) {
      status_.clear_countdown();
      timer_node_.clear();
    }
    std::string keys;
    if (update.is_object()) {
      for (const auto& [name, value] : update.as_object()) {
        (void)value;
        keys += (keys.empty() ? "" : ", ") + std::string(name);
      }
    }
    std::string line = where + "  " + node + (keys.empty() ? "" : " -> " + keys);
    if (std::string subject = about(update); !subject.empty()) line += "  [" + subject + "]";
    if (counted) line += "  (" + graph_progress_.text() + ")";
    status_.print(line);
  }
}

void ProgressPrinter::on_custom(const StreamEvent& event) {
  const std::string where = "step " + std::to_string(event.step);
  const json::object* o = event.data.if_object();
  const std::string kind = o ? string_member(*o, "event") : std::string();
  if (kind == "tool") {
    std::string tool = string_member(*o, "tool");
    std::string status = string_member(*o, "status");
    std::string line =
        where + "  " + event.node + ": tool " + (tool.empty() ? "?" : tool) + (status.empty() ? "" : " " + status);
    if (std::string session = string_member(*o, "session_id"); !session.empty())
      line += "  [" + names_.label(session) + "]";
    status_.print(line);
  } else if (kind == "timer") {
    const std::int64_t remaining = int_member(*o, "remaining_ms");
    const std::string key = string_member(*o, "key");
    status_.set_countdown(std::chrono::steady_clock::now() + std::chrono::milliseconds(remaining),
                          "durable timer '" + key + "'");
    timer_node_ = event.node;
    status_.print(where + "  " + event.node + ": waiting " + seconds_text(remaining) + " (durable timer '" + key +
                  "', until " + utc_time(int_member(*o, "until_ms")) + " UTC)");
  } else {
    status_.print(where + "  " + event.node + ": " + truncate(json::serialize(event.data), 160));
  }
}

void ProgressPrinter::on_debug(const StreamEvent& event) {
  if (const json::object* o = event.data.if_object()) {
    const std::string type = string_member(*o, "type");
    const json::object* payload = o->contains("payload") ? o->at("payload").if_object() : nullptr;
    const std::string task = payload ? string_member(*payload, "id") : std::string();
    if (type == "task" && !task.empty()) running_[task] = event.node;
    if (type == "task_result" && !task.empty()) running_.erase(task);
    if (type == "task" || type == "task_result") show_running(event.step);
  }
  if (options_.mode == "debug") {
    status_.print("step " + std::to_string(event.step) + "  debug " + truncate(json::serialize(event.data), 200));
  }
}

void ProgressPrinter::rate_limit(const http::RateLimitEvent& event) {
  status_.print("  " + event.to_string());
  if (event.kind != http::RateLimitEvent::Kind::give_up && event.wait.count() > 0) {
    status_.set_countdown(std::chrono::steady_clock::now() + event.wait,
                          "rate limit " + event.host + ": " + event.reason);
    timer_node_.clear();
  }
  status_.tick();
}

}  // namespace weft::cli
