// SPDX-License-Identifier: MIT
#pragma once
// Turning a scripted Reply into what the Chat Completions API sends: one chat.completion object, or
// the chat.completion.chunk events of an SSE stream.

#include "sandbox/fake_llm/script.hpp"

#include <boost/json/object.hpp>

#include <string>
#include <vector>

namespace weft::sandbox::fake_llm {

/// Identity of one answer.
struct CompletionMeta {
  std::string id;     ///< "chatcmpl-fake-<n>"
  std::string model;  ///< the request's model
  std::int64_t created = 0;
  std::int64_t prompt_tokens = 0;  ///< used when the reply does not script usage
};

/// The non-streaming answer: {"id","object":"chat.completion","created","model","choices":[...],"usage"}.
boost::json::object completion_object(const Reply& reply, const CompletionMeta& meta);

/// The SSE events ("data: {...}\n\n" each, ending with "data: [DONE]\n\n"): a role delta, the
/// content split into word tokens, each tool call as a name delta then two argument deltas, a
/// finish_reason chunk, and (include_usage) a usage chunk with empty choices.
std::vector<std::string> stream_events(const Reply& reply, const CompletionMeta& meta, bool include_usage);

/// Rough token estimate (1 per 4 bytes, at least 1) used when usage is not scripted.
std::int64_t estimate_tokens(std::string_view text);

}  // namespace weft::sandbox::fake_llm
