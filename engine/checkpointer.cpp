// SPDX-License-Identifier: MIT
// The default awaitable operations of Checkpointer: the synchronous ones, inline.
#include "engine/checkpointer.hpp"

namespace weft {

using boost::asio::awaitable;

awaitable<void> Checkpointer::async_put_writes(TaskWrites writes, Durability durability) {
  put_writes(writes, durability);
  co_return;
}

awaitable<void> Checkpointer::async_put_checkpoint(CheckpointRecord record, const boost::json::object* values,
                                                   Durability durability) {
  put_checkpoint(record, *values, durability);
  co_return;
}

awaitable<std::optional<CheckpointTuple>> Checkpointer::async_get(std::string thread_id, std::string ns,
                                                                  std::string checkpoint_id) {
  co_return get(thread_id, ns, checkpoint_id);
}

awaitable<std::vector<CheckpointTuple>> Checkpointer::async_list(std::string thread_id, std::string ns,
                                                                 ListOptions options) {
  co_return list(thread_id, ns, options);
}

awaitable<void> Checkpointer::async_set_thread_status(std::string thread_id, ThreadStatus status, std::string graph,
                                                      boost::json::object metadata) {
  set_thread_status(thread_id, status, graph, metadata);
  co_return;
}

awaitable<Checkpointer::RunStart> Checkpointer::async_start_run(std::string thread_id, std::string checkpoint_id) {
  co_return start_run(thread_id, checkpoint_id);
}

awaitable<void> Checkpointer::async_flush() {
  flush();
  co_return;
}

}  // namespace weft
