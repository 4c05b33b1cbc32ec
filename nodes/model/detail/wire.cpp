// SPDX-License-Identifier: MIT
#include "nodes/model/detail/wire.hpp"

namespace weft::model::detail {

namespace json = boost::json;

std::string string_field(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::int64_t int_field(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr) return 0;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->get_uint64());
  return 0;
}

json::object wire_tool_call(const ToolCall& call, std::string_view type) {
  json::object function;
  function["name"] = call.name;
  function["arguments"] = call.arguments;
  json::object wire;
  wire["id"] = call.id;
  wire["type"] = type;
  wire["function"] = std::move(function);
  return wire;
}

}  // namespace weft::model::detail
