// SPDX-License-Identifier: MIT
#include "server/mcp/mcp_server.hpp"

#include "server/detail/api.hpp"
#include "server/mcp/detail/tool_set.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace json = boost::json;
using boost::asio::awaitable;

namespace weft::mcp {
namespace {

json::object error_object(const json::value& id, int code, std::string_view message) {
  json::object error;
  error["code"] = code;
  error["message"] = message;
  json::object out;
  out["jsonrpc"] = "2.0";
  out["id"] = id;
  out["error"] = std::move(error);
  return out;
}

std::string negotiate(const json::value& requested) {
  if (requested.is_string()) {
    for (std::string_view v : kProtocolVersions)
      if (requested.as_string() == v) return std::string(v);
  }
  return std::string(kProtocolVersions[0]);
}

}  // namespace

McpServer::McpServer(McpEnvironment environment, McpOptions options)
    : options_(std::move(options)), tools_(std::make_unique<detail::ToolSet>(std::move(environment), options_)) {}

McpServer::~McpServer() = default;

std::string McpServer::error_text(int code, std::string_view message) {
  return json::serialize(error_object(nullptr, code, message));
}

std::vector<std::string> McpServer::tool_names() const { return tools_->names(); }

awaitable<std::optional<std::string>> McpServer::handle_text(std::string text, McpSession& session) {
  if (text.size() > options_.max_message_bytes) {
    co_return error_text(rpc_error::invalid_request, "message of " + std::to_string(text.size()) +
                                                         " bytes exceeds the limit of " +
                                                         std::to_string(options_.max_message_bytes) + " bytes");
  }
  boost::system::error_code ec;
  json::value message = json::parse(text, ec);
  if (ec) co_return error_text(rpc_error::parse_error, "parse error: not JSON (" + ec.message() + ")");
  if (message.is_array()) {
    // A batch (protocol 2025-03-26): each message answered, the answers in one array.
    if (message.as_array().empty()) co_return error_text(rpc_error::invalid_request, "empty batch");
    json::array answers;
    for (json::value& m : message.as_array()) {
      awaitable<std::optional<json::value>> pending = handle(std::move(m), session);
      std::optional<json::value> answer = co_await std::move(pending);
      if (answer) answers.push_back(std::move(*answer));
    }
    if (answers.empty()) co_return std::nullopt;
    co_return json::serialize(answers);
  }
  awaitable<std::optional<json::value>> pending = handle(std::move(message), session);
  std::optional<json::value> answer = co_await std::move(pending);
  if (!answer) co_return std::nullopt;
  co_return json::serialize(*answer);
}

awaitable<std::optional<json::value>> McpServer::handle(json::value message, McpSession& session) {
  if (!message.is_object())
    co_return error_object(nullptr, rpc_error::invalid_request, "a JSON-RPC message is an object");
  json::object& m = message.as_object();
  const json::value* id = m.if_contains("id");
  const json::value* method = m.if_contains("method");
  const bool has_id = id != nullptr;
  const json::value reply_id =
      has_id && (id->is_string() || id->is_int64() || id->is_uint64()) ? *id : json::value(nullptr);
  const json::value* version = m.if_contains("jsonrpc");
  if (!version || !version->is_string() || version->as_string() != "2.0")
    co_return error_object(reply_id, rpc_error::invalid_request, "\"jsonrpc\" must be \"2.0\"");
  if (!method) {
    // A response to a request of ours: the server sends none, so there is nothing to match.
    if (m.contains("result") || m.contains("error")) co_return std::nullopt;
    co_return error_object(reply_id, rpc_error::invalid_request, "a request needs a \"method\" string");
  }
  if (!method->is_string()) co_return error_object(reply_id, rpc_error::invalid_request, "\"method\" must be a string");
  if (has_id && reply_id.is_null())
    co_return error_object(nullptr, rpc_error::invalid_request, "\"id\" must be a string or an integer");
  json::value params = nullptr;
  if (const json::value* p = m.if_contains("params")) params = *p;
  if (!params.is_null() && !params.is_object())
    co_return has_id
        ? std::optional<json::value>(error_object(reply_id, rpc_error::invalid_params, "\"params\" must be an object"))
        : std::nullopt;
  const std::string name(method->as_string());

  if (!has_id) {
    // Notifications are never answered; the one that matters marks the session ready.
    if (name == "notifications/initialized" && !session.protocol_version.empty()) session.initialized = true;
    co_return std::nullopt;
  }
  json::value result;
  std::optional<json::object> failure;
  try {
    awaitable<json::value> pending = dispatch(name, std::move(params), session);
    result = co_await std::move(pending);
  } catch (const detail::RpcError& e) {
    failure = error_object(reply_id, e.code(), e.what());
  } catch (const std::exception& e) {
    failure = error_object(reply_id, rpc_error::internal_error, std::string("internal error: ") + e.what());
  }
  if (failure) co_return json::value(std::move(*failure));
  json::object out;
  out["jsonrpc"] = "2.0";
  out["id"] = reply_id;
  out["result"] = std::move(result);
  co_return json::value(std::move(out));
}

awaitable<json::value> McpServer::dispatch(std::string method, json::value params, McpSession& session) {
  if (method == "ping") co_return json::object();
  if (method == "initialize") {
    if (!session.protocol_version.empty())
      throw detail::RpcError(rpc_error::invalid_request, "the session is already initialized");
    const json::value* requested = params.is_object() ? params.as_object().if_contains("protocolVersion") : nullptr;
    if (!requested || !requested->is_string())
      throw detail::RpcError(rpc_error::invalid_params, "initialize needs params.protocolVersion (a string)");
    session.protocol_version = negotiate(*requested);
    if (const json::value* info = params.as_object().if_contains("clientInfo")) session.client_info = *info;
    // Until notifications/initialized arrives the client may already call (the SDKs send it
    // right after this answer; nothing here depends on it).
    session.initialized = true;
    json::object tools;
    tools["listChanged"] = false;
    json::object capabilities;
    capabilities["tools"] = std::move(tools);
    json::object info;
    info["name"] = "weft";
    info["title"] = "Weft: Crisp tools with exactly-once writes";
    info["version"] = options_.version;
    json::object out;
    out["protocolVersion"] = session.protocol_version;
    out["capabilities"] = std::move(capabilities);
    out["serverInfo"] = std::move(info);
    out["instructions"] =
        "Crisp live-chat tools bound to one website. Arguments are checked before anything is sent; "
        "writes happen once per identical call (a retry replays the first result). Every result's "
        "structuredContent.rate_limit gives the upstream limit, remaining and reset (seconds): pace "
        "yourself by it.";
    co_return json::value(std::move(out));
  }
  if (!session.initialized)
    throw detail::RpcError(rpc_error::invalid_request, "the session is not initialized: send initialize first");
  if (method == "tools/list") co_return json::value(tools_->list());
  if (method == "tools/call") {
    const json::object* p = params.is_object() ? &params.as_object() : nullptr;
    const json::value* name = p ? p->if_contains("name") : nullptr;
    if (!name || !name->is_string())
      throw detail::RpcError(rpc_error::invalid_params, "tools/call needs params.name (a string)");
    json::value arguments = nullptr;
    if (const json::value* a = p->if_contains("arguments")) arguments = *a;
    if (!arguments.is_null() && !arguments.is_object())
      throw detail::RpcError(rpc_error::invalid_params, "tools/call: params.arguments must be an object");
    awaitable<json::object> pending = tools_->call(std::string(name->as_string()), std::move(arguments));
    json::object result = co_await std::move(pending);
    co_return json::value(std::move(result));
  }
  if (method == "resources/list" || method == "prompts/list" || method == "resources/templates/list")
    throw detail::RpcError(rpc_error::method_not_found,
                           "method '" + method + "' not found: this server offers tools only");
  throw detail::RpcError(rpc_error::method_not_found, "method '" + method + "' not found");
}

std::shared_ptr<McpSession> McpServer::open_session() {
  // Bounded: a client that initializes in a loop cannot grow the table without end.
  if (sessions_.size() >= kMaxSessions) return nullptr;
  auto session = std::make_shared<McpSession>();
  session->id = server::detail::random_uuid();
  sessions_[session->id] = session;
  return session;
}

std::shared_ptr<McpSession> McpServer::find_session(std::string_view id) const {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : it->second;
}

bool McpServer::close_session(std::string_view id) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return false;
  sessions_.erase(it);
  return true;
}

}  // namespace weft::mcp
