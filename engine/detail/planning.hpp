// SPDX-License-Identifier: MIT
#pragma once
// Routing and planning, shared by the run loop and update_state: which nodes a finished node
// leads to, and the Plan of the next superstep (Plan itself is in run_state.hpp).

#include "engine/detail/run_state.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace weft::detail {

/// A Send as saved in plans and task writes: {"node","arg"}; and back (missing parts left empty).
boost::json::object send_to_json(const Send& send);
Send send_from_json(const boost::json::value& value);

/// Runs the routers of node `index` (GraphDef::start_index() for START) on `view` and appends
/// their destinations to `gotos` / `sends`. Throws weft::Error (invalid_route) naming `who`.
void route_after(const GraphDef& def, std::size_t index, const StateView& view, std::vector<std::string>& gotos,
                 std::vector<Send>& sends, std::string_view who);

/// Checks Command destinations: names must be nodes or END, Sends must target nodes.
void check_destinations(const GraphDef& def, std::vector<std::string>& gotos, const std::vector<Send>& sends,
                        std::string_view who);

/// The router view of a task: `snapshot` with the task's own `update` folded in.
StateView local_view(const GraphDef& def, const std::shared_ptr<const boost::json::object>& snapshot,
                     const boost::json::object& update);

/// Adds what follows a finished node (static edges, joins it completes, gotos, sends) to `next`.
/// `index` may be GraphDef::start_index() (no joins).
void advance_plan(const GraphDef& def, Plan& next, std::size_t index, const std::vector<std::string>& gotos,
                  const std::vector<Send>& sends);
/// Sorts and dedupes next.pull.
void finish_plan(Plan& next);
/// Moves the tasks of deferred nodes (NodeOptions::defer) out of `plan` when it also holds tasks
/// of other nodes, and returns them (to be planned again for the next step); otherwise leaves
/// `plan` whole and returns an empty plan.
Plan hold_deferred(const GraphDef& def, Plan& plan);

}  // namespace weft::detail
