// SPDX-License-Identifier: MIT
// CompiledGraph's state operations: get_state, get_state_history, update_state.

#include "engine/compiled_graph.hpp"

#include "engine/detail/channels.hpp"
#include "engine/detail/graph_def.hpp"
#include "engine/detail/checkpoints.hpp"
#include "engine/detail/ids.hpp"
#include "engine/detail/planning.hpp"
#include "engine/detail/task_writes.hpp"
#include "engine/error.hpp"

namespace weft {
namespace {

Checkpointer& checkpointer_for(const detail::GraphDef& def, const RunConfig& config, std::string_view operation) {
  Checkpointer* checkpointer = detail::resolve_stores(def.options, config).checkpointer.get();
  if (!checkpointer)
    throw Error(engine::error::no_checkpointer, "graph '" + def.name + "': " + std::string(operation) +
                                                    " needs a checkpointer (CompileOptions or RunConfig)");
  if (config.thread_id.empty())
    throw Error(engine::error::invalid_input,
                "graph '" + def.name + "': " + std::string(operation) + " needs RunConfig::thread_id");
  return *checkpointer;
}

}  // namespace

std::optional<StateSnapshot> CompiledGraph::get_state(const RunConfig& config) const {
  Checkpointer& checkpointer = checkpointer_for(*def_, config, "get_state");
  auto tuple = checkpointer.get(config.thread_id, "", config.checkpoint_id);
  if (!tuple) return std::nullopt;
  return detail::make_snapshot(std::move(*tuple));
}

std::vector<StateSnapshot> CompiledGraph::get_state_history(const RunConfig& config,
                                                            std::optional<std::size_t> limit) const {
  Checkpointer& checkpointer = checkpointer_for(*def_, config, "get_state_history");
  ListOptions options;
  options.limit = limit;
  std::vector<StateSnapshot> out;
  std::vector<CheckpointTuple> tuples = checkpointer.list(config.thread_id, "", options);
  out.reserve(tuples.size());
  for (CheckpointTuple& tuple : tuples) out.push_back(detail::make_snapshot(std::move(tuple)));
  return out;
}

std::string CompiledGraph::update_state(const RunConfig& config, boost::json::object values,
                                        std::string as_node) const {
  const detail::GraphDef& def = *def_;
  Checkpointer& checkpointer = checkpointer_for(def, config, "update_state");
  // An update advances the thread as a run does: it holds the lease (a run under way elsewhere
  // would otherwise have this checkpoint interleaved with its own) and reads what it updates in
  // the same transaction, as a run starts.
  Checkpointer::RunStart start;
  try {
    start = checkpointer.start_run(config.thread_id, config.checkpoint_id);
  } catch (const Error& e) {
    throw Error(e.code(), "graph '" + def.name + "': update_state refused: " + e.what());
  }
  std::optional<CheckpointTuple>& tuple = start.checkpoint;
  if (!tuple)
    throw Error(engine::error::checkpoint_not_found,
                "graph '" + def.name + "' (thread '" + config.thread_id + "'): no checkpoint " +
                    (config.checkpoint_id.empty() ? std::string("yet") : "'" + config.checkpoint_id + "'") +
                    " to update; run the graph first");
  std::optional<std::size_t> index;
  if (!as_node.empty()) {
    if (as_node == START) {
      index = def.start_index();
    } else if (auto found = def.node_index.find(as_node); found != def.node_index.end()) {
      index = found->second;
    } else {
      throw Error(engine::error::invalid_update,
                  "graph '" + def.name + "': update_state as unknown node '" + as_node + "'");
    }
  }

  detail::CheckpointCursor cursor;
  cursor.thread_id = config.thread_id;
  {
    std::vector<CheckpointTuple> latest = checkpointer.list(config.thread_id, "", detail::latest_record_only());
    cursor.start_from(tuple->record, latest.empty() ? std::string() : latest.front().record.id);
  }

  const std::int64_t step = tuple->record.step + 1;
  const std::string task_id =
      detail::make_task_id(config.thread_id, "", tuple->record.id, step, "__update__:" + as_node, false, 0);
  const std::string who = as_node.empty() ? std::string("update_state") : "update_state as node '" + as_node + "'";
  detail::normalize_update(def.schema, values, task_id, who);

  auto snapshot = std::make_shared<const boost::json::object>(std::move(tuple->values));
  detail::Plan plan = detail::Plan::from_json(tuple->record.next);
  std::vector<std::string> gotos;
  std::vector<Send> sends;
  if (index) detail::route_after(def, *index, detail::local_view(def, snapshot, values), gotos, sends, who);

  boost::json::object state = *snapshot;
  std::vector<detail::StepWrite> writes;
  for (const auto& [key, value] : values) writes.push_back({key, &value, who});
  std::vector<ChannelDelta> deltas;
  detail::apply_step_writes(def.schema, state, std::move(writes), &deltas);
  if (index) {
    std::erase(plan.pull, as_node);  // as_node counts as having run
    detail::advance_plan(def, plan, *index, gotos, sends);
    detail::finish_plan(plan);
  }

  boost::json::object metadata =
      detail::checkpoint_metadata(config.metadata, def.name, CheckpointSource::update, std::string());
  if (!as_node.empty()) metadata["as_node"] = as_node;
  const std::int64_t now_ms = (config.clock ? config.clock : system_clock())->now_ms();
  CheckpointRecord record =
      cursor.advance(CheckpointSource::update, step, std::move(metadata), plan.to_json(), std::move(deltas), now_ms);
  checkpointer.put_checkpoint(record, state, Durability::sync);
  return record.id;
}

}  // namespace weft
