// SPDX-License-Identifier: MIT
// /mcp: the MCP Streamable HTTP transport (server/README.md "MCP") over the transport-independent
// McpServer. POST carries one JSON-RPC message (or a batch); the answer is application/json, or a
// one-event text/event-stream when the client accepts only that; notifications get 202. The
// session id is issued with the initialize answer (Mcp-Session-Id) and required afterwards; DELETE
// ends it; GET (a server-initiated stream) is not offered: 405. The API key applies as to every
// route.

#include "server/detail/router.hpp"
#include "server/detail/state.hpp"
#include "server/mcp/mcp_server.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace json = boost::json;
namespace net = boost::asio;

namespace weft::server::detail {
namespace {

void reply_rpc_error(Exchange& ex, int status, int code, const std::string& message) {
  ex.reply(json::parse(mcp::McpServer::error_text(code, message)), status);
}

mcp::McpServer* mcp_of(ServerState& state, Exchange& ex) {
  mcp::McpServer* server = state.environment.mcp.get();
  if (!server) reply_rpc_error(ex, 404, mcp::rpc_error::invalid_request, "MCP is not enabled on this server");
  return server;
}

std::string header(const Request& request, std::string_view name) {
  auto it = request.find(name);
  return it == request.end() ? std::string() : std::string(it->value());
}

bool is_initialize(const json::value& message) {
  const json::object* o = message.if_object();
  const json::value* method = o ? o->if_contains("method") : nullptr;
  return method && method->is_string() && method->as_string() == "initialize";
}

net::awaitable<void> post_mcp(ServerState& state, Exchange& ex) {
  mcp::McpServer* mcp = mcp_of(state, ex);
  if (!mcp) co_return;
  const Request& request = ex.request();
  const std::string accept = header(request, "accept");
  const bool json_ok =
      accept.empty() || accept.find("application/json") != std::string::npos || accept.find("*/*") != std::string::npos;
  const bool sse_ok = accept.find("text/event-stream") != std::string::npos;
  if (!json_ok && !sse_ok) {
    reply_rpc_error(ex, 406, mcp::rpc_error::invalid_request,
                    "Accept must include application/json or text/event-stream");
    co_return;
  }
  boost::system::error_code ec;
  json::value message = json::parse(request.body(), ec);
  if (ec) {
    reply_rpc_error(ex, 400, mcp::rpc_error::parse_error, "parse error: the body is not JSON (" + ec.message() + ")");
    co_return;
  }
  std::shared_ptr<mcp::McpSession> session;
  const std::string session_id = header(request, "mcp-session-id");
  const bool opening = is_initialize(message) && session_id.empty();
  if (opening) {
    session = mcp->open_session();
    if (!session) {
      reply_rpc_error(ex, 503, mcp::rpc_error::invalid_request, "too many open MCP sessions; end one with DELETE /mcp");
      co_return;
    }
  } else if (session_id.empty()) {
    reply_rpc_error(ex, 400, mcp::rpc_error::invalid_request,
                    "missing Mcp-Session-Id header: send initialize first and echo the id it returns");
    co_return;
  } else {
    session = mcp->find_session(session_id);
    if (!session) {
      reply_rpc_error(ex, 404, mcp::rpc_error::invalid_request, "unknown or ended MCP session: initialize again");
      co_return;
    }
  }
  // The session stays alive for this call even if a DELETE ends it meanwhile.
  net::awaitable<std::optional<json::value>> pending = mcp->handle(std::move(message), *session);
  std::optional<json::value> answer = co_await std::move(pending);
  if (opening) {
    const json::object* o = answer ? answer->if_object() : nullptr;
    if (o && o->contains("result")) {
      ex.add_header("Mcp-Session-Id", session->id);
    } else {
      mcp->close_session(session->id);  // a failed initialize opens nothing
    }
  }
  if (!answer) {
    ex.reply_empty(202);
    co_return;
  }
  if (json_ok) {
    ex.reply(std::move(*answer));
    co_return;
  }
  const bool open = co_await ex.open_stream();
  if (!open) co_return;
  net::awaitable<bool> sent = ex.send_event("message", json::serialize(*answer), "");
  co_await std::move(sent);
}

net::awaitable<void> delete_mcp(ServerState& state, Exchange& ex) {
  mcp::McpServer* mcp = mcp_of(state, ex);
  if (!mcp) co_return;
  const std::string id = header(ex.request(), "mcp-session-id");
  if (id.empty()) {
    reply_rpc_error(ex, 400, mcp::rpc_error::invalid_request, "missing Mcp-Session-Id header");
  } else if (!mcp->close_session(id)) {
    reply_rpc_error(ex, 404, mcp::rpc_error::invalid_request, "unknown or ended MCP session");
  } else {
    ex.reply_empty(204);
  }
  co_return;
}

net::awaitable<void> get_mcp(ServerState& state, Exchange& ex) {
  if (!mcp_of(state, ex)) co_return;
  // No server-initiated messages exist (no sampling, no list changes): no stream to offer.
  ex.add_header("Allow", "POST, DELETE");
  reply_rpc_error(ex, 405, mcp::rpc_error::invalid_request, "this server offers no GET stream; POST JSON-RPC messages");
  co_return;
}

}  // namespace

void add_mcp_routes(Router& router) {
  router.add(http::verb::post, "/mcp", post_mcp);
  router.add(http::verb::get, "/mcp", get_mcp);
  router.add(http::verb::delete_, "/mcp", delete_mcp);
}

}  // namespace weft::server::detail
