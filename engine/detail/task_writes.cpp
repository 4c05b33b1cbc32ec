// SPDX-License-Identifier: MIT
// A task's outcome as pending writes (engine/run_format.md), and back.
#include "engine/detail/task_writes.hpp"

#include "engine/detail/planning.hpp"

#include <boost/json/array.hpp>

namespace weft::detail {

boost::json::object command_to_json(const Command& command) {
  boost::json::array gotos, sends;
  for (const std::string& to : command.goto_nodes) gotos.emplace_back(to);
  for (const Send& send : command.sends) sends.push_back(send_to_json(send));
  return boost::json::object{{"update", command.update}, {"goto", std::move(gotos)}, {"sends", std::move(sends)}};
}

Command command_from_json(const boost::json::value& value) {
  Command command;
  const auto* o = value.if_object();
  if (!o) return command;
  if (const auto* update = o->if_contains("update"); update && update->is_object())
    command.update = update->get_object();
  if (const auto* gotos = o->if_contains("goto"); gotos && gotos->is_array())
    for (const auto& to : gotos->get_array())
      if (to.is_string()) command.goto_nodes.emplace_back(to.get_string());
  if (const auto* sends = o->if_contains("sends"); sends && sends->is_array())
    for (const auto& item : sends->get_array())
      if (item.is_object()) command.sends.push_back(send_from_json(item));
  return command;
}

TaskWrites encode_task_writes(const RunShared& run, const std::string& checkpoint_id, const TaskRun& task) {
  TaskWrites out;
  out.thread_id = run.config.thread_id;
  out.ns = run.ns;
  out.checkpoint_id = checkpoint_id;
  out.task_id = task.state->id;
  out.task_name = task.state->node;
  switch (task.status) {
    case TaskStatus::succeeded:
      if (task.parent_command) {
        out.writes.push_back({std::string(kParentCommandChannel), command_to_json(*task.parent_command)});
        break;
      }
      for (const auto& [key, value] : task.update) out.writes.push_back({std::string(key), value});
      for (const std::string& to : task.gotos) out.writes.push_back({std::string(kBranchPrefix) + to, nullptr});
      for (const Send& send : task.sends) out.writes.push_back({std::string(kSendChannel), send_to_json(send)});
      if (out.writes.empty()) out.writes.push_back({std::string(kNoWritesChannel), nullptr});
      break;
    case TaskStatus::interrupted: {
      out.writes.push_back({std::string(kInterruptChannel), to_json(task.interrupts)});
      out.writes.push_back({std::string(kResumeChannel), task.state->resume_values});
      break;
    }
    case TaskStatus::failed:
      out.writes.push_back(
          {std::string(kErrorChannel), boost::json::object{{"message", task.error_message},
                                                           {"code", task.error_code.value()},
                                                           {"category", task.error_code.category().name()}}});
      break;
    default: break;
  }
  return out;
}

void decode_task_writes(const TaskWrites& writes, TaskRun& task) {
  bool error = false;
  bool interrupted = false;
  for (const ChannelWrite& w : writes.writes) {
    if (w.channel == kErrorChannel) {
      error = true;
    } else if (w.channel == kInterruptChannel) {
      interrupted = true;
      if (w.value.is_array())
        for (const auto& i : w.value.get_array()) task.interrupts.push_back(interrupt_from_json(i));
    } else if (w.channel == kResumeChannel) {
      if (w.value.is_array()) task.state->resume_values = w.value.get_array();
    } else if (w.channel == kNoWritesChannel) {
    } else if (w.channel == kParentCommandChannel) {
      task.parent_command = command_from_json(w.value);
    } else if (w.channel == kSendChannel) {
      task.sends.push_back(send_from_json(w.value));
    } else if (w.channel.starts_with(kBranchPrefix)) {
      task.gotos.push_back(w.channel.substr(kBranchPrefix.size()));
    } else {
      task.update[w.channel] = w.value;
    }
  }
  if (error) {
    task.status = TaskStatus::pending;  // failed tasks run again
    task.update.clear();
    task.gotos.clear();
    task.sends.clear();
    task.parent_command.reset();
  } else if (interrupted) {
    task.status = TaskStatus::interrupted;
  } else {
    task.status = TaskStatus::succeeded;
    task.reused = true;
  }
}

std::vector<Interrupt> pending_interrupts(const std::vector<TaskWrites>& writes) {
  std::vector<Interrupt> out;
  for (const TaskWrites& task : writes) {
    for (const ChannelWrite& w : task.writes) {
      if (w.channel == kInterruptChannel && w.value.is_array())
        for (const auto& i : w.value.get_array()) out.push_back(interrupt_from_json(i));
    }
  }
  return out;
}

StateSnapshot make_snapshot(CheckpointTuple tuple) {
  // Constructed around the values: they keep their storage (a store may hand them out in an
  // arena), where an assignment into a default-constructed object would copy them.
  StateSnapshot snapshot{.values = std::move(tuple.values),
                         .next = Plan::from_json(tuple.record.next).next_names(),
                         .checkpoint_id = std::move(tuple.record.id),
                         .parent_id = std::move(tuple.record.parent_id),
                         .step = tuple.record.step,
                         .source = std::string(to_string(tuple.record.source)),
                         .created_at_ms = tuple.record.created_at_ms,
                         .metadata = std::move(tuple.record.metadata),
                         .interrupts = pending_interrupts(tuple.pending_writes)};
  return snapshot;
}
}  // namespace weft::detail
