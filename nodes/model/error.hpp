// SPDX-License-Identifier: MIT
#pragma once
// Errors of the model layer (nodes/model/): chat models and their configuration.
//
// Thrown as weft::Error (engine/error.hpp) with one of these codes. Transport failures that the
// HTTP layer gave up on keep their http::error code (nodes/http/error.hpp). what() names the model
// or endpoint and says what to do; it never contains an API key.

#include "engine/error.hpp"

#include <system_error>

namespace weft::model {

enum class error {
  /// The request cannot be sent: no messages, a message that is not an object, a bad tool list,
  /// or (OfflineModel) an unknown task.
  invalid_request = 1,
  /// The model's configuration is unusable: a malformed OPENAI_BASE_URL, no model name.
  invalid_config,
  /// The API answered with an error status that retrying cannot fix (400, 401, 403, 404, ...);
  /// the message carries the status and the API's error message.
  api_error,
  /// The server's answer is not what the Chat Completions API defines: not JSON, no choices,
  /// a malformed SSE stream, a stream that ended without [DONE] or a finish reason.
  bad_response,
  /// ScriptedChatModel: the script is malformed (not a JSON array of responses, a bad entry).
  invalid_script,
  /// ScriptedChatModel: every scripted reply has been used.
  script_exhausted,
  /// The call was cancelled through the awaiting coroutine's cancellation slot.
  cancelled,
};

const std::error_category& error_category() noexcept;
inline std::error_code make_error_code(error e) noexcept { return {static_cast<int>(e), error_category()}; }

}  // namespace weft::model

template <>
struct std::is_error_code_enum<weft::model::error> : std::true_type {};
