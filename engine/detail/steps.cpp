// SPDX-License-Identifier: MIT
#include "engine/detail/steps.hpp"

#include "engine/detail/channels.hpp"
#include "engine/detail/hash.hpp"
#include "engine/detail/view_overlay.hpp"
#include "engine/error.hpp"

#include <boost/asio/cancellation_type.hpp>
#include <boost/json/array.hpp>

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace weft::detail {
namespace {

/// A Send as saved in plans and task writes: {"node","arg"}; and back (missing parts left empty).
boost::json::object send_to_json(const Send& send) { return boost::json::object{{"node", send.node}, {"arg", send.arg}}; }

Send send_from_json(const boost::json::value& value) {
  Send send;
  if (const auto* o = value.if_object()) {
    if (const auto* node = o->if_contains("node"); node && node->is_string()) send.node = node->get_string();
    if (const auto* arg = o->if_contains("arg"); arg && arg->is_object()) send.arg = arg->get_object();
  }
  return send;
}

}  // namespace

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
  if (const auto* update = o->if_contains("update"); update && update->is_object()) command.update = update->get_object();
  if (const auto* gotos = o->if_contains("goto"); gotos && gotos->is_array())
    for (const auto& to : gotos->get_array())
      if (to.is_string()) command.goto_nodes.emplace_back(to.get_string());
  if (const auto* sends = o->if_contains("sends"); sends && sends->is_array())
    for (const auto& item : sends->get_array())
      if (item.is_object()) command.sends.push_back(send_from_json(item));
  return command;
}

// ---- RunShared, Persister -------------------------------------------------------------------

void RunShared::emit(StreamMode mode, std::string node, std::int64_t step, boost::json::value data,
                     std::string task_id) {
  if (!wants(mode) || sink_error) return;
  StreamEvent event;
  event.mode = mode;
  event.ns = ns;
  event.node = std::move(node);
  event.step = step;
  event.data = std::move(data);
  event.task_id = std::move(task_id);
  try {
    config.stream(event);
  } catch (...) {
    sink_error = std::current_exception();
  }
}

void RunShared::request_cancel() {
  cancelled = true;
  for (TaskRun* task : in_flight) task->cancel.emit(boost::asio::cancellation_type::terminal);
}

void Persister::checkpoint(CheckpointRecord record, const boost::json::object& values) {
  if (!checkpointer) return;
  if (durability != Durability::exit) {
    checkpointer->put_checkpoint(record, values, durability);
    return;
  }
  if (held) {
    record.parent_id = held->parent_id;
    std::vector<ChannelDelta> deltas = std::move(held->deltas);
    for (ChannelDelta& d : record.deltas) deltas.push_back(std::move(d));
    record.deltas = std::move(deltas);
  }
  held = std::move(record);
  held_writes.clear();  // writes against earlier checkpoints were consumed by this one
}

void Persister::writes(TaskWrites writes) {
  if (!checkpointer) return;
  if (durability != Durability::exit) {
    checkpointer->put_writes(writes, durability);
  } else {
    held_writes.push_back(std::move(writes));
  }
}

void Persister::flush(const boost::json::object& values) {
  if (!checkpointer) return;
  if (held) checkpointer->put_checkpoint(*held, values, durability);
  for (const TaskWrites& w : held_writes) checkpointer->put_writes(w, durability);
  held.reset();
  held_writes.clear();
  checkpointer->flush();
}

// ---- Plan -------------------------------------------------------------------------------------

std::vector<std::string> Plan::next_names() const {
  std::vector<std::string> names = pull;
  for (const Send& send : sends) names.push_back(send.node);
  return names;
}

boost::json::object Plan::to_json() const {
  boost::json::object next;
  boost::json::array pulls;
  for (const std::string& name : pull) pulls.emplace_back(name);
  next["pull"] = std::move(pulls);
  boost::json::array sent;
  for (const Send& send : sends) sent.emplace_back(send_to_json(send));
  next["sends"] = std::move(sent);
  boost::json::object barriers;
  for (const auto& [key, arrived] : joins) {
    boost::json::array names;
    for (const std::string& name : arrived) names.emplace_back(name);
    barriers[key] = std::move(names);
  }
  next["joins"] = std::move(barriers);
  return next;
}

Plan Plan::from_json(const boost::json::object& next) {
  Plan plan;
  if (const auto* pulls = next.if_contains("pull"); pulls && pulls->is_array()) {
    for (const auto& name : pulls->get_array())
      if (name.is_string()) plan.pull.emplace_back(name.get_string());
  }
  if (const auto* sent = next.if_contains("sends"); sent && sent->is_array()) {
    for (const auto& item : sent->get_array())
      if (item.is_object()) plan.sends.push_back(send_from_json(item));
  }
  if (const auto* barriers = next.if_contains("joins"); barriers && barriers->is_object()) {
    for (const auto& [key, arrived] : barriers->get_object()) {
      std::vector<std::string> names;
      if (arrived.is_array())
        for (const auto& n : arrived.get_array())
          if (n.is_string()) names.emplace_back(n.get_string());
      plan.joins.emplace(std::string(key), std::move(names));
    }
  }
  return plan;
}

// ---- Routing and planning ---------------------------------------------------------------------

void check_destinations(const GraphDef& def, std::vector<std::string>& gotos, const std::vector<Send>& sends,
                        std::string_view who) {
  std::erase_if(gotos, [](const std::string& name) { return name == END; });
  for (const std::string& name : gotos) {
    if (!def.find_node(name))
      throw Error(engine::error::invalid_route,
                  std::string(who) + " routed to unknown node '" + name + "' (graph '" + def.name + "')");
  }
  for (const Send& send : sends) {
    if (send.node == END)
      throw Error(engine::error::invalid_route, std::string(who) + " sent a Send to END; Send needs a node");
    if (!def.find_node(send.node))
      throw Error(engine::error::invalid_route,
                  std::string(who) + " sent a Send to unknown node '" + send.node + "' (graph '" + def.name + "')");
  }
}

void route_after(const GraphDef& def, std::size_t index, const StateView& view, std::vector<std::string>& gotos,
                 std::vector<Send>& sends, std::string_view who) {
  for (std::size_t r : def.routers_of[index]) {
    const RouterDef& router = def.routers[r];
    Route route = router.router(view);
    std::vector<std::string> names;
    for (const std::string& name : route.names()) {
      if (router.path_map.empty()) {
        names.push_back(name);
        continue;
      }
      auto mapped = router.path_map.find(name);
      if (mapped == router.path_map.end() && name == END) continue;  // END needs no mapping
      if (mapped == router.path_map.end())
        throw Error(engine::error::invalid_route, "the router after " + std::string(who) + " returned '" + name +
                                                      "', which is not in its path map");
      names.push_back(mapped->second);
    }
    check_destinations(def, names, route.sends(), "the router after " + std::string(who));
    for (std::string& name : names) gotos.push_back(std::move(name));
    for (const Send& send : route.sends()) sends.push_back(send);
  }
}

StateView local_view(const GraphDef& def, const std::shared_ptr<const boost::json::object>& snapshot,
                     const boost::json::object& update) {
  if (update.empty()) return StateView(snapshot);
  return overlaid_view(snapshot, std::make_shared<const LocalWritesOverlay>(def.schema, snapshot, update));
}

void advance_plan(const GraphDef& def, Plan& next, std::size_t index, const std::vector<std::string>& gotos,
                  const std::vector<Send>& sends) {
  for (const std::string& to : def.static_next[index])
    if (to != END) next.pull.push_back(to);
  for (const std::string& to : gotos)
    if (to != END) next.pull.push_back(to);
  for (const Send& send : sends) next.sends.push_back(send);
  if (index >= def.nodes.size()) return;
  const std::string& name = def.nodes[index].name;
  for (std::size_t j : def.joins_of[index]) {
    const JoinDef& join = def.joins[j];
    std::vector<std::string>& arrived = next.joins[join.key];
    if (std::find(arrived.begin(), arrived.end(), name) == arrived.end()) {
      arrived.insert(std::upper_bound(arrived.begin(), arrived.end(), name), name);
    }
    if (arrived == join.sources) {
      next.joins.erase(join.key);
      if (join.target != END) next.pull.push_back(join.target);
    }
  }
}

void finish_plan(Plan& next) {
  std::sort(next.pull.begin(), next.pull.end());
  next.pull.erase(std::unique(next.pull.begin(), next.pull.end()), next.pull.end());
}

Plan hold_deferred(const GraphDef& def, Plan& plan) {
  const auto deferred = [&](const std::string& name) {
    const NodeDef* node = def.find_node(name);
    return node && node->options.defer;
  };
  const bool others = std::any_of(plan.pull.begin(), plan.pull.end(), [&](const auto& n) { return !deferred(n); }) ||
                      std::any_of(plan.sends.begin(), plan.sends.end(), [&](const Send& s) { return !deferred(s.node); });
  Plan held;
  if (!others) return held;
  auto pull_end = std::stable_partition(plan.pull.begin(), plan.pull.end(), [&](const auto& n) { return !deferred(n); });
  held.pull.assign(std::make_move_iterator(pull_end), std::make_move_iterator(plan.pull.end()));
  plan.pull.erase(pull_end, plan.pull.end());
  auto send_end =
      std::stable_partition(plan.sends.begin(), plan.sends.end(), [&](const Send& s) { return !deferred(s.node); });
  held.sends.assign(std::make_move_iterator(send_end), std::make_move_iterator(plan.sends.end()));
  plan.sends.erase(send_end, plan.sends.end());
  return held;
}

// ---- Ids --------------------------------------------------------------------------------------

std::string checkpoint_id_for(std::uint64_t sequence) {
  std::string id(20, '0');
  for (std::size_t i = id.size(); i-- > 0 && sequence != 0; sequence /= 10) id[i] = static_cast<char>('0' + sequence % 10);
  return id;
}

std::uint64_t checkpoint_sequence(const std::string& id) noexcept {
  std::uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(id.data(), id.data() + id.size(), value);
  return ec == std::errc() && ptr == id.data() + id.size() ? value : 0;
}

std::string make_task_id(const std::string& thread_id, const std::string& ns, const std::string& checkpoint_id,
                         std::int64_t step, std::string_view node, bool push, std::size_t send_index,
                         std::string_view payload_digest) {
  IdHasher hasher;
  hasher.add(thread_id).add(ns).add(checkpoint_id).add(static_cast<std::uint64_t>(step)).add(node);
  hasher.add(push ? "push" : "pull").add(static_cast<std::uint64_t>(send_index));
  if (push) hasher.add("payload").add(payload_digest);
  return hasher.hex();
}

// ---- Task writes ------------------------------------------------------------------------------

boost::json::object interrupt_to_json(const Interrupt& interrupt) {
  const char* kind = interrupt.kind == Interrupt::Kind::node     ? "node"
                     : interrupt.kind == Interrupt::Kind::before ? "before"
                                                                 : "after";
  return boost::json::object{{"id", interrupt.id},           {"value", interrupt.value}, {"node", interrupt.node},
                             {"task_id", interrupt.task_id}, {"kind", kind},             {"ns", interrupt.ns}};
}

Interrupt interrupt_from_json(const boost::json::value& value) {
  Interrupt interrupt;
  const boost::json::object* o = value.if_object();
  if (!o) return interrupt;
  auto text = [&](std::string_view key) -> std::string {
    const auto* v = o->if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
  };
  interrupt.id = text("id");
  if (const auto* v = o->if_contains("value")) interrupt.value = *v;
  interrupt.node = text("node");
  interrupt.task_id = text("task_id");
  interrupt.ns = text("ns");
  const std::string kind = text("kind");
  interrupt.kind = kind == "before" ? Interrupt::Kind::before : kind == "after" ? Interrupt::Kind::after : Interrupt::Kind::node;
  return interrupt;
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
      for (const Send& send : task.sends)
        out.writes.push_back({std::string(kSendChannel), send_to_json(send)});
      if (out.writes.empty()) out.writes.push_back({std::string(kNoWritesChannel), nullptr});
      break;
    case TaskStatus::interrupted: {
      boost::json::array interrupts;
      for (const Interrupt& i : task.interrupts) interrupts.push_back(interrupt_to_json(i));
      out.writes.push_back({std::string(kInterruptChannel), std::move(interrupts)});
      out.writes.push_back({std::string(kResumeChannel), task.state->resume_values});
      break;
    }
    case TaskStatus::failed:
      out.writes.push_back({std::string(kErrorChannel),
                            boost::json::object{{"message", task.error_message}, {"code", task.error_code.value()},
                                                {"category", task.error_code.category().name()}}});
      break;
    default:
      break;
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

StateSnapshot make_snapshot(const CheckpointTuple& tuple) {
  StateSnapshot snapshot;
  snapshot.values = tuple.values;
  snapshot.next = Plan::from_json(tuple.record.next).next_names();
  snapshot.checkpoint_id = tuple.record.id;
  snapshot.parent_id = tuple.record.parent_id;
  snapshot.step = tuple.record.step;
  snapshot.source = std::string(to_string(tuple.record.source));
  snapshot.created_at_ms = tuple.record.created_at_ms;
  snapshot.metadata = tuple.record.metadata;
  snapshot.interrupts = pending_interrupts(tuple.pending_writes);
  return snapshot;
}

}  // namespace weft::detail
