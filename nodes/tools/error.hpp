// SPDX-License-Identifier: MIT
#pragma once
// Errors of the tool layer (nodes/tools/): schemas, the registry, tool calls.
//
// Thrown as weft::Error (engine/error.hpp) with one of these codes; what() names the tool, the
// schema location or the argument field, and says what to do.

#include "engine/error.hpp"

#include <system_error>

namespace weft::tools {

enum class error {
  /// A JSON Schema could not be compiled: malformed keyword value, invalid regular expression,
  /// unresolvable or non-local $ref, unknown format, or a keyword Weft does not implement.
  invalid_schema = 1,
  /// A tool was registered twice under one name, or with an empty or non-OpenAI-compatible name.
  invalid_tool,
  /// A call named a tool the registry (or its allow-list view) does not expose.
  unknown_tool,
  /// A call's arguments failed validation against the tool's schema, or were not a JSON object.
  invalid_arguments,
  /// The tool's function threw; the message carries the tool name and the original message.
  tool_failed,
};

const std::error_category& error_category() noexcept;
inline std::error_code make_error_code(error e) noexcept { return {static_cast<int>(e), error_category()}; }

}  // namespace weft::tools

template <>
struct std::is_error_code_enum<weft::tools::error> : std::true_type {};
