// SPDX-License-Identifier: MIT
#pragma once
// ChatModel: the one interface LLM nodes call. Messages, tools, tool_choice and structured output
// use the OpenAI Chat Completions JSON format as-is (boost::json), so a request built for one model
// works for every model (OpenAIChatModel, ScriptedChatModel, OfflineModel).
//
// Message shapes (OpenAI chat format):
//   {"role":"system","content":"..."}
//   {"role":"user","content":"..."}
//   {"role":"assistant","content":"..." | null, "refusal": "..." (when the model declined),
//    "tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{...}"}}]}
//   {"role":"tool","tool_call_id":"call_1","content":"..."}
// Messages may carry extra keys Weft uses (e.g. "id", "metadata"); OpenAIChatModel strips every key
// the Chat Completions API does not define before sending.
//
// Tools: [{"type":"function","function":{"name","description","parameters": <JSON Schema>}}].

#include <boost/asio/awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weft {

/// Called with each piece of assistant text, in order, as a streaming model produces it (the
/// concatenation equals the final message's content). Runs on the executor complete() runs on;
/// it must not block. An exception it throws aborts complete() with that exception.
using TokenCallback = std::function<void(std::string_view token)>;

/// One call to a chat model. A plain value; copy freely.
struct ChatRequest {
  /// The conversation, OpenAI chat format (see above). Required, non-empty.
  boost::json::array messages;
  /// Tools the model may call, OpenAI function format. Default: none (the field is not sent).
  boost::json::array tools;
  /// "auto" | "none" | "required" | {"type":"function","function":{"name":"f"}}. Default: null =
  /// not sent (the API's default, "auto" when tools are given).
  boost::json::value tool_choice;
  /// Structured output: the OpenAI `response_format` object, normally
  /// {"type":"json_schema","json_schema":{"name":"x","schema":{...},"strict":true}}
  /// (or {"type":"json_object"}). Default: unset (free text). See json_schema_format().
  std::optional<boost::json::object> response_format;
  /// Model name; "" (default) = the ChatModel's configured model (WEFT_MODEL for OpenAIChatModel).
  std::string model;
  /// Sampling temperature. Default: unset (the server's default).
  std::optional<double> temperature;
  /// Upper bound of generated tokens. Default: unset (not sent). OpenAIChatModel sends it as
  /// `max_tokens`, or as `max_completion_tokens` for models that need that field (o-series,
  /// gpt-5; see OpenAIConfig::token_limit_field).
  std::optional<std::int64_t> max_tokens;
  /// Extra top-level fields merged into the Chat Completions body (e.g. "seed", "top_p").
  /// They override nothing Weft sets. Default: none.
  boost::json::object extra;
  /// Not sent to any API: hints for non-LLM models. OfflineModel reads "task" (see
  /// nodes/model/offline_model.md); ScriptedChatModel records it. Default: empty.
  boost::json::object metadata;
  /// When set, the model streams (OpenAIChatModel sends stream: true) and calls it for each text
  /// delta in order. Non-streaming models call it once with the whole content. Default: unset.
  TokenCallback on_token;
};

/// Token accounting reported by the model (0 when the model does not report it).
struct Usage {
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  std::int64_t total_tokens = 0;
};

/// One tool call requested by the assistant.
struct ToolCall {
  std::string id;         ///< the model's call id; tool messages answer it in tool_call_id
  std::string name;       ///< function name
  std::string arguments;  ///< the arguments exactly as the model produced them (JSON text, may be invalid)
};

/// What a model answered.
struct ChatResponse {
  /// The assistant message, OpenAI chat format, ready to append to the conversation:
  /// {"role":"assistant","content": string|null, "tool_calls": [...] (only when there are calls)}.
  /// OfflineModel adds "metadata":{"offline":true,...}; other keys are never added.
  boost::json::object message;
  /// The message's tool calls, in the model's order (same data as message["tool_calls"]).
  std::vector<ToolCall> tool_calls;
  /// "stop", "tool_calls", "length", "content_filter", ... as the model reported it.
  std::string finish_reason;
  /// The model declined to answer (OpenAI `message.refusal`, or the streamed `refusal` deltas):
  /// its explanation. The message then also carries "refusal" (and usually null content).
  /// Default: unset (no refusal).
  std::optional<std::string> refusal;
  /// The model that answered, as reported (e.g. "gpt-4o-mini-2024-07-18", "weft-offline").
  std::string model;
  /// Tokens used by this call.
  Usage usage;
  /// With a json_schema/json_object response_format: the content parsed as JSON; null otherwise
  /// or when the content is not valid JSON (the content is then left as text for the caller).
  boost::json::value parsed;
  /// The provider's raw response (non-streaming body, or for a stream the array of chunk objects).
  boost::json::value raw;

  /// The message's text content ("" when it is null).
  std::string content() const;
};

/// A chat model. Implementations: OpenAIChatModel (openai_chat_model.hpp), ScriptedChatModel
/// (scripted_chat_model.hpp), OfflineModel (offline_model.hpp).
///
/// Thread safety: complete() may be called concurrently (e.g. from a fan-out) unless an
/// implementation says otherwise.
class ChatModel {
 public:
  virtual ~ChatModel() = default;

  /// Sends `request` and returns the assistant's answer.
  /// Completes on the executor of the awaiting coroutine. Cancellable: cancelling the awaiting
  /// coroutine (its cancellation slot) aborts the call with weft::Error(model::error::cancelled).
  /// Errors: weft::Error with a model::error code (model/error.hpp) or an http::error code
  /// (transport, after the HTTP layer's retries). Messages never contain an API key.
  virtual boost::asio::awaitable<ChatResponse> complete(ChatRequest request) = 0;

  /// A short description safe to log and record: "openai:gpt-4o-mini@https://api.openai.com/v1",
  /// "scripted:replies.json", "weft-offline". Never contains a secret.
  virtual std::string describe() const = 0;

  /// True for models that are not an LLM (OfflineModel): their answers are heuristics.
  virtual bool is_offline() const noexcept { return false; }
};

/// {"type":"json_schema","json_schema":{"name":name,"schema":schema,"strict":strict}}
boost::json::object json_schema_format(std::string_view name, const boost::json::value& schema, bool strict = true);

/// Builds the OpenAI message objects (helpers for callers and tests).
boost::json::object system_message(std::string_view content);
boost::json::object user_message(std::string_view content);
boost::json::object assistant_message(std::string_view content);
/// {"role":"tool","tool_call_id":id,"content":content}
boost::json::object tool_message(std::string_view tool_call_id, std::string_view content);

/// The tool calls of an assistant message (empty when it has none or is not an assistant message).
/// Malformed entries (no id or name) are skipped.
std::vector<ToolCall> tool_calls_of(const boost::json::object& message);

}  // namespace weft
