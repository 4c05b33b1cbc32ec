// SPDX-License-Identifier: MIT
// A compiled graph used as a node: it runs in the parent's thread under its own checkpoint
// namespace "node:task_id" (nested with '|'), and its changes to shared keys become the node's
// update, unless one of its nodes returns a Command for the parent graph, which then is.

#include "engine/detail/checkpoints.hpp"
#include "engine/detail/run_state.hpp"
#include "engine/error.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace weft::detail {
namespace {

/// What the subgraph changed in a key, expressed as a write to the parent's channel: an append
/// channel gets only the new items and a counter the difference, so shared keys are not doubled.
std::optional<boost::json::value> change_of(const Channel& channel, const boost::json::value* before,
                                            const boost::json::value& after) {
  if (before && *before == after) return std::nullopt;
  if (channel.kind == ChannelKind::append && before && before->is_array() && after.is_array()) {
    const auto& old_items = before->get_array();
    const auto& new_items = after.get_array();
    if (new_items.size() >= old_items.size() && std::equal(old_items.begin(), old_items.end(), new_items.begin())) {
      return boost::json::value(
          boost::json::array(new_items.begin() + static_cast<std::ptrdiff_t>(old_items.size()), new_items.end()));
    }
  }
  if (channel.kind == ChannelKind::counter && before && before->is_number() && after.is_number()) {
    if (before->is_double() || after.is_double())
      return boost::json::value(after.to_number<double>() - before->to_number<double>());
    return boost::json::value(after.to_number<std::int64_t>() - before->to_number<std::int64_t>());
  }
  return after;
}

}  // namespace

boost::asio::awaitable<Command> run_subgraph_node(std::shared_ptr<const GraphDef> subgraph, StateView state,
                                                  NodeContext context) {
  TaskState& task = NodeContextAccess::task(context);
  RunShared& parent = *task.run;
  const std::string ns = (parent.ns.empty() ? std::string() : parent.ns + "|") + task.node + ":" + task.id;

  RunConfig config = parent.config;
  config.checkpointer = parent.checkpointer;
  config.effect_journal = parent.journal;
  config.clock = parent.clock;
  if (!config.store) config.store = parent.def->options.store;  // the subgraph shares its parent's memory
  config.checkpoint_id.clear();
  config.interrupt_before.clear();
  config.interrupt_after.clear();

  // The parent's view of the keys the subgraph also has: its input, and the baseline its
  // changes are measured against.
  boost::json::object shared_keys;
  for (const auto& [key, channel] : subgraph->schema) {
    if (const boost::json::value* v = state.find(key)) shared_keys[key] = *v;
  }

  RunRequest request;
  auto to_parent = std::make_shared<std::optional<Command>>();
  request.parent_command = to_parent;
  bool started = false;
  if (parent.checkpointer) {
    auto listing = parent.checkpointer->async_list(config.thread_id, ns, latest_record_only());
    std::vector<CheckpointTuple> latest = co_await std::move(listing);
    started = !latest.empty();
  }
  if (started) {
    // The parent task is re-running (after an interrupt or a failure): continue the subgraph.
    request.resume = true;
    if (!task.resume_map.empty()) request.command.resume = boost::json::value(task.resume_map);
  } else {
    request.input = shared_keys;
  }

  auto executor = co_await boost::asio::this_coro::executor;
  auto running = boost::asio::co_spawn(executor, execute_run(subgraph, std::move(request), std::move(config), ns),
                                       boost::asio::use_awaitable);
  RunResult result = co_await std::move(running);

  if (result.status == RunStatus::interrupted) {
    for (Interrupt& i : result.interrupts) {
      if (i.ns.empty()) i.ns = ns;
    }
    throw InterruptSignal{std::move(result.interrupts)};
  }
  if (result.status == RunStatus::failed) {
    if (result.error && result.error->exception) std::rethrow_exception(result.error->exception);
    throw Error(engine::error::node_failed, "subgraph '" + subgraph->name + "' failed");
  }
  // A node of the subgraph addressed this graph: that Command is this node's whole outcome
  // (LangGraph: the subgraph's own changes to shared keys are not propagated then).
  if (*to_parent) co_return std::move(**to_parent);
  Command command;
  const Schema& parent_schema = parent.def->schema;
  for (const auto& [key, value] : result.values) {
    auto channel = parent_schema.find(std::string_view(key));
    if (channel == parent_schema.end()) continue;
    if (auto change = change_of(channel->second, shared_keys.if_contains(key), value))
      command.update[key] = std::move(*change);
  }
  co_return command;
}

}  // namespace weft::detail
