// SPDX-License-Identifier: MIT
#pragma once
// OpenAIChatModel: the Chat Completions API (POST {base_url}/chat/completions), as served by
// OpenAI and by vLLM, Ollama, llama.cpp server and other OpenAI-compatible servers.

#include "nodes/http/client.hpp"
#include "nodes/model/chat_model.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace weft {

struct OpenAIConfig {
  /// API base without the trailing "/chat/completions". Default "https://api.openai.com/v1".
  std::string base_url = "https://api.openai.com/v1";
  /// Bearer token. Secret: never logged, never in an error. Empty (default) = no Authorization
  /// header (local servers such as Ollama need none).
  std::string api_key;
  /// Model used when ChatRequest::model is empty. Default "gpt-4o-mini".
  std::string model = "gpt-4o-mini";
  /// Ask for usage in streamed responses (stream_options.include_usage). Some local servers reject
  /// unknown fields; turn off for them. Default true.
  bool stream_usage = true;
  /// Which body field carries ChatRequest::max_tokens. OpenAI's o-series and gpt-5 reject
  /// `max_tokens` and need `max_completion_tokens`; many OpenAI-compatible servers know only
  /// `max_tokens`. `automatic` picks max_completion_tokens for model names starting with "o1",
  /// "o3", "o4" or "gpt-5", else max_tokens. WEFT_TOKEN_LIMIT_FIELD=max_tokens|max_completion_tokens
  /// forces one. Default automatic.
  enum class TokenLimitField { automatic, max_tokens, max_completion_tokens };
  TokenLimitField token_limit_field = TokenLimitField::automatic;

  /// Overall time one call may take: connecting, retries and their waits, and the whole answer
  /// (streamed included). Past it the call fails with http::error::timeout and a message naming
  /// WEFT_MODEL_TIMEOUT, so a hung server cannot hold a run. 0 = no overall limit (only the HTTP
  /// client's connect and read timeouts). Default 120 s.
  std::chrono::milliseconds timeout{120'000};

  /// OPENAI_BASE_URL (default above), OPENAI_API_KEY (optional), WEFT_MODEL (default above),
  /// WEFT_MODEL_TIMEOUT (seconds, e.g. "120" or "2.5"; 0 = none), WEFT_TOKEN_LIMIT_FIELD (default
  /// automatic). Throws weft::Error (model::error::invalid_config) for a WEFT_MODEL_TIMEOUT that is
  /// not a non-negative number or a WEFT_TOKEN_LIMIT_FIELD that is not one of the accepted ones.
  /// `env` looks a variable up (nullopt = unset); default: std::getenv.
  static OpenAIConfig from_env(const std::function<std::optional<std::string>(std::string_view)>& env = {});
  /// True when OPENAI_BASE_URL or OPENAI_API_KEY is set (an LLM is configured).
  static bool configured_in_env(const std::function<std::optional<std::string>(std::string_view)>& env = {});
};

/// Thread safety: complete() may be called concurrently; the HTTP client is shared.
class OpenAIChatModel final : public ChatModel {
 public:
  /// Uses its own http::Client on `executor` with `http_options`. Throws weft::Error
  /// (model::error::invalid_config) for a base_url that is not http(s)://host[...].
  OpenAIChatModel(boost::asio::any_io_executor executor, OpenAIConfig config, http::ClientOptions http_options = {});
  /// Shares `client` (its pool, limits and observer) with other users.
  OpenAIChatModel(http::Client client, OpenAIConfig config);

  /// POSTs the request; streams (stream: true, SSE) when request.on_token is set, assembling text
  /// and tool-call deltas into the same ChatResponse a non-streaming call gives.
  /// Errors: model::error::api_error (non-retryable error status, with the API's message),
  /// bad_response (malformed JSON or SSE, no choices), cancelled; http::error codes for transport
  /// failures after retries. Completes on the awaiting coroutine's executor; cancellable.
  boost::asio::awaitable<ChatResponse> complete(ChatRequest request) override;

  /// "openai:<model>@<base_url>" (no key).
  std::string describe() const override;

  /// The JSON body complete() would send (no stream fields), for tests and debugging.
  boost::json::object build_body(const ChatRequest& request) const;

  const OpenAIConfig& config() const noexcept { return config_; }

 private:
  http::Request build_http_request(const ChatRequest& request) const;

  http::Client client_;
  OpenAIConfig config_;
  std::string endpoint_;
};

}  // namespace weft
