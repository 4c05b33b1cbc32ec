// SPDX-License-Identifier: MIT
#pragma once
// Running the tasks of one superstep: concurrency, retries, timeouts, cancellation, and what a
// finished task hands to the checkpointer and the stream.

#include "engine/detail/run_state.hpp"

#include <boost/asio/awaitable.hpp>

#include <memory>
#include <string>
#include <vector>

namespace weft::detail {

/// Runs every task whose status is pending: async nodes concurrently (each in its own coroutine
/// on the current executor, cancellable), sync nodes inline. Each finished task is committed at
/// once (stream events emitted; pending writes saved against `checkpoint_id`), except the task
/// that completes a step in which every task succeeded: its writes are listed in
/// RunShared::writes_in_checkpoint for the step's checkpoint to carry. Returns when all have
/// finished; never throws (outcomes are in the tasks). Cancellation of the awaiting coroutine
/// cancels the tasks.
boost::asio::awaitable<void> run_superstep(RunShared& run, std::vector<std::unique_ptr<TaskRun>>& tasks,
                                           std::shared_ptr<const boost::json::object> snapshot,
                                           std::string checkpoint_id);

}  // namespace weft::detail
