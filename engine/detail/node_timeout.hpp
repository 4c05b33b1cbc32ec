// SPDX-License-Identifier: MIT
#pragma once
// A node's deadline (NodeOptions::timeout): the async node races a sleep on the run's Clock, so
// tests drive timeouts with virtual time (ManualClock::Sleeps::wait_for_advance).

#include "engine/clock.hpp"
#include "engine/detail/graph_def.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <memory>

namespace weft::detail {

/// Runs async `node` against `clock->sleep_for(timeout)`: the node and the deadline each run in
/// their own coroutine on the current executor; the first to finish wins and the other is
/// cancelled and awaited. Returns the node's Command or rethrows its exception; throws
/// weft::Error (node_timeout) when the deadline wins. Cancelling the awaiting coroutine cancels
/// both and throws operation_aborted once they have ended.
boost::asio::awaitable<Command> call_with_timeout(std::shared_ptr<Clock> clock, const NodeDef& node, StateView view,
                                                  NodeContext context, std::chrono::milliseconds timeout);

}  // namespace weft::detail
