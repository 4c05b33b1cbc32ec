// SPDX-License-Identifier: MIT
// RunShared (stream events, cancellation) and the Persister (durability modes).
#include "engine/detail/run_state.hpp"

#include <boost/asio/cancellation_type.hpp>

namespace weft::detail {

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

namespace {
boost::asio::awaitable<void> nothing_to_wait_for() { co_return; }
}  // namespace

void Persister::checkpoint_now(CheckpointRecord record, const boost::json::object& values) {
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

void Persister::writes_now(TaskWrites writes) {
  if (!checkpointer) return;
  if (durability != Durability::exit) {
    checkpointer->put_writes(writes, durability);
    return;
  }
  held_writes.push_back(std::move(writes));
}

// Not coroutines themselves: for a store that suspends they hand back the store's own
// awaitable, so a step costs no extra coroutine frame for them.
boost::asio::awaitable<void> Persister::checkpoint(CheckpointRecord record, const boost::json::object* values) {
  if (saves_inline()) {
    checkpoint_now(std::move(record), *values);
    return nothing_to_wait_for();
  }
  return checkpointer->async_put_checkpoint(std::move(record), values, durability);
}

boost::asio::awaitable<void> Persister::writes(TaskWrites writes) {
  if (saves_inline()) {
    writes_now(std::move(writes));
    return nothing_to_wait_for();
  }
  return checkpointer->async_put_writes(std::move(writes), durability);
}

void Persister::flush_now(const boost::json::object& values) {
  if (!checkpointer) return;
  if (held) {
    CheckpointRecord record = std::move(*held);
    held.reset();
    checkpointer->put_checkpoint(record, values, durability);
  }
  std::vector<TaskWrites> writes = std::move(held_writes);
  held_writes.clear();
  for (const TaskWrites& w : writes) checkpointer->put_writes(w, durability);
  checkpointer->flush();
}

boost::asio::awaitable<void> Persister::flush(const boost::json::object* values) {
  if (!checkpointer) co_return;
  if (held) {
    CheckpointRecord record = std::move(*held);
    held.reset();
    auto putting = checkpointer->async_put_checkpoint(std::move(record), values, durability);
    co_await std::move(putting);
  }
  std::vector<TaskWrites> writes = std::move(held_writes);
  held_writes.clear();
  for (TaskWrites& w : writes) {
    auto putting = checkpointer->async_put_writes(std::move(w), durability);
    co_await std::move(putting);
  }
  auto flushing = checkpointer->async_flush();
  co_await std::move(flushing);
}

}  // namespace weft::detail
