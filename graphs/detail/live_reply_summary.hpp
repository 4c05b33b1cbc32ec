// SPDX-License-Identifier: MIT
#pragma once
// live_reply's summary node: one paragraph a person reads (what was answered, how, citing what,
// what was refused) and the machine-readable outcome the server and tests read.

#include "engine/node_context.hpp"
#include "engine/state_view.hpp"

#include <boost/json/object.hpp>

namespace weft::graphs::detail::live_reply {

/// The update {"summary", "outcome"} of a finished run (any path: already replied, spam, out of
/// scope, rejected, replied). Pure over the state.
boost::json::object summarize(StateView state, NodeContext ctx);

}  // namespace weft::graphs::detail::live_reply
