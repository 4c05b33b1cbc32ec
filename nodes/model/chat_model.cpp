// SPDX-License-Identifier: MIT
#include "nodes/model/chat_model.hpp"

#include <boost/json/serialize.hpp>

namespace weft {

namespace json = boost::json;

std::string ChatResponse::content() const {
  const auto* c = message.if_contains("content");
  if (c == nullptr || !c->is_string()) return {};
  return std::string(c->get_string());
}

json::object json_schema_format(std::string_view name, const json::value& schema, bool strict) {
  json::object spec;
  spec["name"] = name;
  spec["schema"] = schema;
  spec["strict"] = strict;
  json::object format;
  format["type"] = "json_schema";
  format["json_schema"] = std::move(spec);
  return format;
}

namespace {
json::object role_message(std::string_view role, std::string_view content) {
  json::object m;
  m["role"] = role;
  m["content"] = content;
  return m;
}
}  // namespace

json::object system_message(std::string_view content) { return role_message("system", content); }
json::object user_message(std::string_view content) { return role_message("user", content); }
json::object assistant_message(std::string_view content) { return role_message("assistant", content); }

json::object tool_message(std::string_view tool_call_id, std::string_view content) {
  json::object m;
  m["role"] = "tool";
  m["tool_call_id"] = tool_call_id;
  m["content"] = content;
  return m;
}

std::vector<ToolCall> tool_calls_of(const json::object& message) {
  std::vector<ToolCall> calls;
  const auto* role = message.if_contains("role");
  if (role == nullptr || !role->is_string() || role->get_string() != "assistant") return calls;
  const auto* list = message.if_contains("tool_calls");
  if (list == nullptr || !list->is_array()) return calls;
  for (const auto& entry : list->get_array()) {
    if (!entry.is_object()) continue;
    const auto& call = entry.get_object();
    const auto* id = call.if_contains("id");
    const auto* function = call.if_contains("function");
    if (id == nullptr || !id->is_string() || function == nullptr || !function->is_object()) continue;
    const auto* name = function->get_object().if_contains("name");
    if (name == nullptr || !name->is_string()) continue;
    ToolCall out;
    out.id = std::string(id->get_string());
    out.name = std::string(name->get_string());
    const auto* args = function->get_object().if_contains("arguments");
    if (args != nullptr) {
      out.arguments = args->is_string() ? std::string(args->get_string()) : json::serialize(*args);
    }
    calls.push_back(std::move(out));
  }
  return calls;
}

}  // namespace weft
