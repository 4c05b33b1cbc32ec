// SPDX-License-Identifier: MIT
#include "server/detail/threads.hpp"

#include "server/detail/api.hpp"
#include "server/detail/runs.hpp"
#include "server/detail/state.hpp"

namespace json = boost::json;

namespace weft::server::detail {

ThreadRow require_thread(ServerState& s, const std::string& thread_id) {
  if (auto row = s.catalog->thread(thread_id)) return *row;
  if (auto info = s.environment.checkpointer->thread(thread_id)) {
    ThreadRow row;
    row.thread_id = thread_id;
    row.created_at_ms = info->created_at_ms;
    row.updated_at_ms = info->updated_at_ms;
    row.graph_id = info->graph;
    if (!row.graph_id.empty()) row.metadata["graph_id"] = row.graph_id;
    s.catalog->put_thread(row);
    return row;
  }
  not_found("Thread '" + thread_id + "'");
}

const Assistant* thread_assistant(ServerState& s, const ThreadRow& row) {
  if (!row.graph_id.empty()) return s.find_assistant(row.graph_id);
  if (auto info = s.environment.checkpointer->thread(row.thread_id); info && !info->graph.empty())
    return s.find_assistant(info->graph);
  return nullptr;
}

std::string thread_status(ServerState& s, const ThreadRow& row) {
  for (const auto& run : s.runs->active_on(row.thread_id))
    if (run->row.status == "running" || run->row.status == "pending") return "busy";
  auto info = s.environment.checkpointer->thread(row.thread_id);
  if (!info) return "idle";
  switch (info->status) {
    case ThreadStatus::interrupted: return "interrupted";
    case ThreadStatus::failed: return "error";
    default: return "idle";
  }
}

json::object checkpoint_json(const std::string& thread_id, const std::string& checkpoint_id) {
  json::object c;
  c["thread_id"] = thread_id;
  c["checkpoint_ns"] = "";
  if (checkpoint_id.empty()) {
    c["checkpoint_id"] = nullptr;
  } else {
    c["checkpoint_id"] = checkpoint_id;
  }
  c["checkpoint_map"] = nullptr;
  return c;
}

json::object state_json(const std::string& thread_id, const StateSnapshot& snapshot) {
  json::object o;
  o["values"] = snapshot.values;
  json::array next;
  for (const std::string& n : snapshot.next) next.emplace_back(n);
  o["next"] = next;
  o["checkpoint"] = checkpoint_json(thread_id, snapshot.checkpoint_id);
  json::object metadata = snapshot.metadata;
  metadata["step"] = snapshot.step;
  metadata["source"] = snapshot.source;
  o["metadata"] = std::move(metadata);
  o["created_at"] = iso_time(snapshot.created_at_ms);
  if (snapshot.parent_id.empty()) {
    o["parent_checkpoint"] = nullptr;
  } else {
    o["parent_checkpoint"] = checkpoint_json(thread_id, snapshot.parent_id);
  }
  // One task per next node; a node's pending interrupts are attached to its task.
  json::array tasks;
  json::array all_interrupts = interrupts_json(snapshot.interrupts);
  for (std::size_t i = 0; i < snapshot.next.size(); ++i) {
    const std::string& name = snapshot.next[i];
    json::object t;
    std::string task_id;
    json::array task_interrupts;
    for (std::size_t k = 0; k < snapshot.interrupts.size(); ++k) {
      if (snapshot.interrupts[k].node != name) continue;
      task_interrupts.push_back(all_interrupts[k]);
      if (task_id.empty()) task_id = snapshot.interrupts[k].task_id;
    }
    t["id"] = task_id.empty() ? snapshot.checkpoint_id + ":" + std::to_string(i) : task_id;
    t["name"] = name;
    t["error"] = nullptr;
    t["interrupts"] = std::move(task_interrupts);
    t["checkpoint"] = nullptr;
    t["state"] = nullptr;
    tasks.push_back(std::move(t));
  }
  o["tasks"] = std::move(tasks);
  o["interrupts"] = std::move(all_interrupts);
  return o;
}

json::object empty_state_json(const std::string& thread_id) {
  json::object o;
  o["values"] = json::object();
  o["next"] = json::array();
  o["checkpoint"] = checkpoint_json(thread_id, "");
  o["metadata"] = json::object();
  o["created_at"] = nullptr;
  o["parent_checkpoint"] = nullptr;
  o["tasks"] = json::array();
  o["interrupts"] = json::array();
  return o;
}

json::object thread_json(ServerState& s, const ThreadRow& row) {
  json::object o;
  o["thread_id"] = row.thread_id;
  o["created_at"] = iso_time(row.created_at_ms);
  o["updated_at"] = iso_time(row.updated_at_ms);
  o["state_updated_at"] = iso_time(row.updated_at_ms);
  o["metadata"] = row.metadata;
  o["status"] = thread_status(s, row);
  json::object values;
  json::object interrupts;
  if (const Assistant* a = thread_assistant(s, row)) {
    RunConfig config;
    config.thread_id = row.thread_id;
    if (auto snapshot = a->graph->get_state(config)) {
      values = snapshot->values;
      for (const Interrupt& i : snapshot->interrupts) {
        json::array one = interrupts_json({i});
        auto& list = interrupts[i.task_id.empty() ? i.node : i.task_id];
        if (!list.is_array()) list = json::array();
        list.as_array().push_back(one[0]);
      }
    }
  }
  o["values"] = std::move(values);
  o["interrupts"] = std::move(interrupts);
  o["config"] = json::object();
  o["error"] = nullptr;
  return o;
}

std::string checkpoint_id_of(const json::object& body) {
  if (auto id = string_field(body, "checkpoint_id")) return *id;
  json::object checkpoint = object_field(body, "checkpoint");
  if (auto id = string_field(checkpoint, "checkpoint_id")) return *id;
  return {};
}

}  // namespace weft::server::detail
