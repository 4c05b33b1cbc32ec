// SPDX-License-Identifier: MIT
#include "graphs/detail/session_guard.hpp"

#include "graphs/error.hpp"

namespace json = boost::json;

namespace weft::graphs::detail {
namespace {

std::string session_of(const json::object& args) {
  const json::value* v = args.if_contains("session_id");
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

// A coroutine (not a throw from the std::function itself), so a refusal surfaces where the tool
// layer expects a tool's failure: when its awaitable runs.
boost::asio::awaitable<json::value> guarded_call(Tool inner, std::string session_id, json::object args,
                                                 ToolContext ctx) {
  const std::string named = session_of(args);
  if (named != session_id) {
    throw Error(error::write_refused, "refused: " + inner.name() + " may write only in conversation " + session_id +
                                          ", not in " + (named.empty() ? std::string("(none given)") : named) +
                                          "; nothing was sent");
  }
  json::value result = co_await inner.function()(std::move(args), std::move(ctx));
  co_return result;
}

}  // namespace

ToolRegistry pin_writes_to_session(const ToolRegistry& tools, const std::string& session_id) {
  ToolRegistry pinned;
  for (const Tool& tool : tools.tools()) {
    if (!tool.side_effecting()) {
      pinned.add(tool);
      continue;
    }
    ToolFunction guarded = [tool, session_id](json::object args, ToolContext ctx) {
      return guarded_call(tool, session_id, std::move(args), std::move(ctx));
    };
    pinned.add(Tool(tool.name(), tool.description(), tool.schema(), std::move(guarded), tool.effects()));
  }
  return pinned;
}

}  // namespace weft::graphs::detail
