// SPDX-License-Identifier: MIT
#pragma once
// The OpenAI chat wire form, both ways, as the model implementations share it (private): reading
// a field of a response object that may be absent or of another type, and writing a tool call as
// an assistant message carries it.

#include "nodes/model/chat_model.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace weft::model::detail {

/// The string member `key` of `o`, or "" when it is absent or not a string.
std::string string_field(const boost::json::object& o, std::string_view key);

/// The integer member `key` of `o`, or 0 when it is absent or not an integer.
std::int64_t int_field(const boost::json::object& o, std::string_view key);

/// `call` in an assistant message's "tool_calls":
/// {"id": ..., "type": `type`, "function": {"name": ..., "arguments": ...}}.
boost::json::object wire_tool_call(const ToolCall& call, std::string_view type = "function");

}  // namespace weft::model::detail
