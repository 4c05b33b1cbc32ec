// SPDX-License-Identifier: MIT
// Re-keying a checkpoint's pending writes for a copy of its thread (engine/thread_copy.hpp).
#include "engine/thread_copy.hpp"

#include "engine/detail/hash.hpp"
#include "engine/detail/ids.hpp"
#include "engine/detail/run_state.hpp"
#include "engine/effect_journal.hpp"

#include <map>
#include <unordered_map>

namespace weft {
namespace {

/// The ids the tasks of `record`'s plan have on `from` mapped to those they have on `to`, named
/// exactly as the run loop names them when it plans the step after `record` (run_step.cpp).
std::unordered_map<std::string, std::string> task_ids_for_copy(const CheckpointRecord& record, const std::string& from,
                                                               const std::string& to) {
  const detail::Plan plan = detail::Plan::from_json(record.next);
  const std::int64_t step = record.step + 1;
  std::unordered_map<std::string, std::string> ids;
  auto add = [&](const std::string& node, bool push, std::size_t occurrence, const std::string& digest) {
    ids.emplace(detail::make_task_id(from, record.ns, record.id, step, node, push, occurrence, digest),
                detail::make_task_id(to, record.ns, record.id, step, node, push, occurrence, digest));
  };
  for (const std::string& node : plan.pull) add(node, false, 0, {});
  std::map<std::pair<std::string, std::string>, std::size_t> equal_sends;
  for (const Send& send : plan.sends) {
    const std::string digest = request_digest(send.arg);
    add(send.node, true, equal_sends[{send.node, digest}]++, digest);
  }
  return ids;
}

/// The id of a node interrupt is a hash of its task id and of how many interrupt() calls of the
/// task came before it (NodeContext::interrupt): find that count, rebuild the id on the new task.
std::string interrupt_id_for_copy(const std::string& id, const std::string& from_task, const std::string& to_task,
                                  std::size_t answered) {
  for (std::uint64_t index = 0; index <= answered; ++index)
    if (detail::IdHasher().add(from_task).add(index).hex() == id)
      return detail::IdHasher().add(to_task).add(index).hex();
  return id;
}

void rekey_interrupts(boost::json::value& interrupts, const std::string& from_task, const std::string& to_task,
                      std::size_t answered) {
  if (!interrupts.is_array()) return;
  for (boost::json::value& item : interrupts.get_array()) {
    boost::json::object* interrupt = item.if_object();
    if (!interrupt) continue;
    const boost::json::value* task = interrupt->if_contains("task_id");
    if (!task || !task->is_string() || task->get_string() != from_task) continue;  // raised in a subgraph
    if (const boost::json::value* id = interrupt->if_contains("id"); id && id->is_string())
      (*interrupt)["id"] = interrupt_id_for_copy(std::string(id->get_string()), from_task, to_task, answered);
    (*interrupt)["task_id"] = to_task;
  }
}

}  // namespace

std::vector<TaskWrites> pending_writes_for_copy(const CheckpointTuple& source, const std::string& from,
                                                const std::string& to) {
  const std::unordered_map<std::string, std::string> ids = task_ids_for_copy(source.record, from, to);
  std::vector<TaskWrites> copied = source.pending_writes;
  for (TaskWrites& writes : copied) {
    writes.thread_id = to;
    auto renamed = ids.find(writes.task_id);
    if (renamed == ids.end()) continue;
    std::size_t answered = 0;  // resume values the task already holds (one per earlier interrupt)
    for (const ChannelWrite& w : writes.writes)
      if (w.channel == kResumeChannel && w.value.is_array()) answered = w.value.get_array().size();
    for (ChannelWrite& w : writes.writes)
      if (w.channel == kInterruptChannel) rekey_interrupts(w.value, writes.task_id, renamed->second, answered);
    writes.task_id = renamed->second;
  }
  return copied;
}

}  // namespace weft
