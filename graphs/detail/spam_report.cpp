// SPDX-License-Identifier: MIT
// Reporting (and perhaps blocking) a spam conversation, written once for every graph that does it.

#include "graphs/detail/spam_report.hpp"

#include "graphs/detail/node_support.hpp"

#include <boost/json/object.hpp>

namespace weft::graphs::detail {

boost::asio::awaitable<std::string> report_spam(ToolRegistry tools, std::string session_id, bool offline_verdict,
                                                bool block, NodeContext ctx) {
  boost::json::object report;
  report["session_id"] = session_id;
  report["flag"] = "spam";
  auto pending_report = call_tool(tools, "create_a_crisp_report", std::move(report), ctx, "report");
  co_await std::move(pending_report);
  // nodes/model/offline_model.md: an offline verdict is at most reported.
  if (offline_verdict) co_return "reported as spam (not blocked: offline verdict)";
  if (!block) co_return "reported as spam";
  boost::json::object blocked;
  blocked["session_id"] = session_id;
  blocked["blocked"] = true;
  auto pending_block = call_tool(tools, "update_a_crisp_conversation_block_by_id", std::move(blocked), ctx, "block");
  co_await std::move(pending_block);
  co_return "reported as spam and blocked";
}

}  // namespace weft::graphs::detail
