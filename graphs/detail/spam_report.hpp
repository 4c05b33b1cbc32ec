// SPDX-License-Identifier: MIT
#pragma once
// What a graph does with a conversation it judged to be spam (spam_triage, live_reply): report it,
// and block it only when a real model (not the offline heuristic) judged it and the input allows.

#include "engine/node_context.hpp"
#include "nodes/tools/tool_registry.hpp"

#include <boost/asio/awaitable.hpp>

#include <string>

namespace weft::graphs::detail {

/// Reports `session_id` as spam (create_a_crisp_report, call id "report") and, when `block` and not
/// `offline_verdict`, blocks it (update_a_crisp_conversation_block_by_id, call id "block"): a
/// keyword heuristic must never be the reason a real customer is silenced for good. Both writes are
/// journaled through call_tool under those call ids. Returns the action taken, e.g. "reported as
/// spam and blocked". Throws as call_tool does. Completes on the run's executor.
boost::asio::awaitable<std::string> report_spam(ToolRegistry tools, std::string session_id, bool offline_verdict,
                                                bool block, NodeContext ctx);

}  // namespace weft::graphs::detail
