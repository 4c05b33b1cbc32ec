// SPDX-License-Identifier: MIT
#pragma once
// Errors of the built-in graphs (graphs/). Thrown as weft::Error; what() says what happened, to
// what, and what to do.

#include "engine/error.hpp"

#include <system_error>

namespace weft::graphs {

enum class error {
  /// No graph of that name is registered (the message lists the names), or one was registered twice.
  unknown_graph = 1,
  /// The run input does not match the graph's input schema (the message names every field).
  invalid_input,
  /// A Crisp tool call failed (the message carries the tool's error, e.g. rate limit given up).
  tool_failed,
  /// The model's answer could not be used (not the structured output asked for).
  bad_model_output,
  /// Something the input names does not exist on the website (an inbox name, a conversation).
  not_found,
  /// A human's answer to an interrupt is not one of the accepted forms.
  invalid_decision,
  /// The model declined to answer (a refusal); the message quotes its explanation.
  model_refused,
  /// A write falls outside what the run's input allows (live_reply: a conversation other than the
  /// one the input names); it was refused before any request, nothing was sent.
  write_refused,
};

const std::error_category& error_category() noexcept;
inline std::error_code make_error_code(error e) noexcept { return {static_cast<int>(e), error_category()}; }

}  // namespace weft::graphs

template <>
struct std::is_error_code_enum<weft::graphs::error> : std::true_type {};
