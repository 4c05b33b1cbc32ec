// SPDX-License-Identifier: MIT
#pragma once
// The Chat Completions JSON of an OpenAI-compatible server, both ways (private to nodes/model):
// a request message as the API defines it, the answer read into a ChatResponse, and the message
// of an error body. Every failure throws weft::Error with a model::error code.

#include "nodes/model/chat_model.hpp"
#include "nodes/model/error.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace weft::model::detail {

/// Throws weft::Error(`code`, `message`).
[[noreturn]] void fail(error code, const std::string& message);

/// Message `index` of a chat request as the Chat Completions API defines it: Weft's extra keys
/// (id, metadata, ...) removed. Throws (invalid_request) when it is not an object, has no role, or
/// is a tool message without tool_call_id.
boost::json::object api_message(const boost::json::value& value, std::size_t index);

/// The first 200 characters of `body` on one line, "..." when cut.
std::string excerpt(std::string_view body);

/// The error message an OpenAI-compatible server put in its error body, or an excerpt of the body.
std::string api_error_message(const std::string& body);

/// The ChatResponse of a non-streamed completion body. Throws api_error when a 200 carries an
/// error, bad_response when there is no choice or message.
ChatResponse parse_completion(const boost::json::object& body);

}  // namespace weft::model::detail
