// SPDX-License-Identifier: MIT
#pragma once
// live_reply's helpdesk search: the public articles of the run's locale whose titles best match
// the visitor's message, each with its public page's URL (as Crisp gives it, never composed) and
// an excerpt of its content.

#include "engine/node_context.hpp"
#include "nodes/tools/tool_registry.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <string>

namespace weft::graphs::detail::live_reply {

/// The search node's update {"articles": [{"n", "title", "url", "description", "content"}],
/// "search_error": null or why the helpdesk could not be read}. Reads up to 5 pages of articles
/// and the best 3 matches through `tools` (journaled reads, call ids "articles:<page>",
/// "page:<n>", "article:<n>"). A tool failure (no knowledge base: 402) is reported in
/// search_error with no articles, never thrown; other errors propagate. Completes on the run's
/// executor.
boost::asio::awaitable<boost::json::object> search_helpdesk(ToolRegistry tools, std::string locale,
                                                            std::string question, NodeContext ctx);

}  // namespace weft::graphs::detail::live_reply
