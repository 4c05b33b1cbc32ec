// SPDX-License-Identifier: MIT
// OpenAIChatModel: its configuration from the environment, the HTTP request of a call, and the
// reading of the answer (whole or streamed); the Chat Completions JSON is detail/openai_wire.cpp.
#include "nodes/model/openai_chat_model.hpp"

#include "nodes/http/redact.hpp"
#include "nodes/model/detail/openai_wire.hpp"
#include "nodes/model/detail/sse.hpp"
#include "nodes/model/detail/stream_assembler.hpp"
#include "nodes/model/detail/wire.hpp"
#include "nodes/model/error.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <charconv>
#include <cstdlib>

namespace weft {

namespace json = boost::json;
namespace asio = boost::asio;

namespace {

using model::detail::api_error_message;
using model::detail::api_message;
using model::detail::excerpt;
using model::detail::fail;
using model::detail::parse_completion;
using model::detail::string_field;

using Env = std::function<std::optional<std::string>(std::string_view)>;

std::optional<std::string> lookup(const Env& env, std::string_view name) {
  if (env) return env(name);
  const char* v = std::getenv(std::string(name).c_str());
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string(v);
}

bool wants_json(const std::optional<json::object>& format) {
  if (!format) return false;
  const auto type = string_field(*format, "type");
  return type == "json_schema" || type == "json_object";
}

std::string status_hint(int status) {
  switch (status) {
    case 401: return "check OPENAI_API_KEY";
    case 403: return "the key is not allowed to use this model or endpoint";
    case 404: return "check OPENAI_BASE_URL and WEFT_MODEL";
    case 400: return "the request was rejected; see the message";
    default: return "see the message";
  }
}

// The body field of a token cap for `model` (see OpenAIConfig::token_limit_field).
const char* token_limit_field_for(OpenAIConfig::TokenLimitField field, std::string_view model) {
  using Field = OpenAIConfig::TokenLimitField;
  if (field == Field::max_tokens) return "max_tokens";
  if (field == Field::max_completion_tokens) return "max_completion_tokens";
  for (std::string_view prefix : {"o1", "o3", "o4", "gpt-5"}) {
    if (model.substr(0, prefix.size()) == prefix) return "max_completion_tokens";
  }
  return "max_tokens";
}

// "120", "2.5" -> milliseconds; anything else is a configuration error.
std::chrono::milliseconds parse_timeout_seconds(const std::string& text) {
  double seconds = -1;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (ec != std::errc() || ptr != text.data() + text.size() || !(seconds >= 0) || seconds > 86'400.0 * 365) {
    fail(model::error::invalid_config,
         "WEFT_MODEL_TIMEOUT '" + text + "' is not a number of seconds (e.g. 120, or 0 for no overall limit)");
  }
  return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000.0 + 0.5));
}

std::string trim_base(std::string base) {
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base;
}

}  // namespace

OpenAIConfig OpenAIConfig::from_env(const Env& env) {
  OpenAIConfig config;
  if (auto v = lookup(env, "OPENAI_BASE_URL")) config.base_url = *v;
  if (auto v = lookup(env, "OPENAI_API_KEY")) config.api_key = *v;
  if (auto v = lookup(env, "WEFT_MODEL")) config.model = *v;
  if (auto v = lookup(env, "WEFT_TOKEN_LIMIT_FIELD")) {
    if (*v == "max_tokens") {
      config.token_limit_field = OpenAIConfig::TokenLimitField::max_tokens;
    } else if (*v == "max_completion_tokens") {
      config.token_limit_field = OpenAIConfig::TokenLimitField::max_completion_tokens;
    } else if (*v != "auto") {
      fail(model::error::invalid_config,
           "WEFT_TOKEN_LIMIT_FIELD='" + *v + "' is not one of auto, max_tokens, max_completion_tokens");
    }
  }
  if (auto v = lookup(env, "WEFT_MODEL_TIMEOUT")) config.timeout = parse_timeout_seconds(*v);
  return config;
}

bool OpenAIConfig::configured_in_env(const Env& env) {
  return lookup(env, "OPENAI_BASE_URL").has_value() || lookup(env, "OPENAI_API_KEY").has_value();
}

OpenAIChatModel::OpenAIChatModel(asio::any_io_executor executor, OpenAIConfig config, http::ClientOptions http_options)
    : OpenAIChatModel(http::Client(std::move(executor), std::move(http_options)), std::move(config)) {}

OpenAIChatModel::OpenAIChatModel(http::Client client, OpenAIConfig config)
    : client_(std::move(client)), config_(std::move(config)) {
  config_.base_url = trim_base(config_.base_url);
  const auto& b = config_.base_url;
  const bool scheme_ok = b.rfind("http://", 0) == 0 || b.rfind("https://", 0) == 0;
  const auto host_start = b.find("://") + 3;
  if (!scheme_ok || b.size() <= host_start || b[host_start] == '/') {
    fail(model::error::invalid_config,
         "OpenAI base URL '" + http::redact_url(b) + "' is not http(s)://host[:port][/path]; fix OPENAI_BASE_URL");
  }
  if (config_.model.empty()) fail(model::error::invalid_config, "no model name; set WEFT_MODEL");
  endpoint_ = config_.base_url + "/chat/completions";
}

std::string OpenAIChatModel::describe() const {
  return "openai:" + config_.model + "@" + http::redact_url(config_.base_url);
}

json::object OpenAIChatModel::build_body(const ChatRequest& request) const {
  if (request.messages.empty()) fail(model::error::invalid_request, "chat request has no messages");
  json::object body;
  for (const auto& [key, value] : request.extra) body[key] = value;
  body["model"] = request.model.empty() ? config_.model : request.model;
  json::array messages;
  std::size_t index = 0;
  for (const auto& m : request.messages) messages.push_back(api_message(m, index++));
  body["messages"] = std::move(messages);
  if (!request.tools.empty()) body["tools"] = request.tools;
  if (!request.tool_choice.is_null()) body["tool_choice"] = request.tool_choice;
  if (request.response_format) body["response_format"] = *request.response_format;
  if (request.temperature) body["temperature"] = *request.temperature;
  if (request.max_tokens)
    body[token_limit_field_for(config_.token_limit_field, body.at("model").as_string())] = *request.max_tokens;
  return body;
}

namespace {

// One call's state and every step that may throw, as plain functions: GCC 12 mishandles a throw
// from a full-expression with temporaries inside a coroutine, so complete() only awaits and calls
// these with named arguments.
class Call {
 public:
  Call(std::string who, std::vector<std::string> secrets, const TokenCallback& on_token)
      : who_(std::move(who)),
        secrets_(std::move(secrets)),
        assembler_(on_token),
        decoder_([this](const std::string& data) { on_event(data); }) {}
  Call(const Call&) = delete;
  Call& operator=(const Call&) = delete;

  void feed(std::string_view bytes) { decoder_.feed(bytes); }

  ChatResponse finish(const http::Response& response, const ChatRequest& request, const std::string& model_name) {
    if (response.status < 200 || response.status >= 300) {
      fail(model::error::api_error,
           http::redact(who_ + ": HTTP " + std::to_string(response.status) + ": " + api_error_message(response.body) +
                            "; " + status_hint(response.status),
                        secrets_));
    }
    ChatResponse result;
    if (request.on_token) {
      decoder_.finish();
      if (!done_ && !assembler_.finished()) {
        fail(model::error::bad_response, who_ + ": the stream ended without [DONE] or a finish reason (" +
                                             std::to_string(decoder_.bytes()) + " bytes received)");
      }
      result = std::move(assembler_).result();
    } else {
      boost::system::error_code ec;
      json::value parsed = json::parse(response.body, ec);
      if (ec || !parsed.is_object()) {
        fail(model::error::bad_response,
             http::redact(who_ + ": the response body is not a JSON object (" +
                              (ec ? ec.message() : std::string("not an object")) + ", " +
                              std::to_string(response.body.size()) + " bytes): " + excerpt(response.body),
                          secrets_));
      }
      result = parse_completion(parsed.get_object());
      if (request.on_token && !result.content().empty()) request.on_token(result.content());
      result.raw = std::move(parsed);
    }
    if (result.model.empty()) result.model = model_name;
    if (wants_json(request.response_format)) {
      boost::system::error_code ec;
      json::value parsed_content = json::parse(result.content(), ec);
      if (!ec) result.parsed = std::move(parsed_content);
    }
    return result;
  }

 private:
  void on_event(const std::string& data) {
    if (done_) return;
    if (data == "[DONE]") {
      done_ = true;
      return;
    }
    boost::system::error_code ec;
    json::value chunk = json::parse(data, ec);
    if (ec || !chunk.is_object()) {
      fail(model::error::bad_response, who_ + " sent a stream event that is not a JSON object (" +
                                           (ec ? ec.message() : std::string("not an object")) + "): " + excerpt(data));
    }
    assembler_.add(chunk.get_object());
  }

  std::string who_;
  std::vector<std::string> secrets_;
  model::detail::StreamAssembler assembler_;
  model::detail::SseDecoder decoder_;
  bool done_ = false;
};

[[noreturn]] void throw_cancelled(const http::RequestError& e) {
  fail(model::error::cancelled, std::string("model call cancelled: ") + e.what());
}

[[noreturn]] void throw_timed_out(const http::RequestError& e, const OpenAIConfig& config) {
  const std::string message = "model call to " + config.model + " timed out (overall limit " +
                              std::to_string(config.timeout.count()) +
                              " ms; set WEFT_MODEL_TIMEOUT in seconds, or --model-timeout, to change it): " + e.what();
  throw http::RequestError(http::error::timeout, e.host(), e.status(), e.attempts(), message);
}

}  // namespace

http::Request OpenAIChatModel::build_http_request(const ChatRequest& request) const {
  json::object body = build_body(request);
  const bool streaming = static_cast<bool>(request.on_token);
  if (streaming) {
    body["stream"] = true;
    if (config_.stream_usage) {
      json::object options;
      options["include_usage"] = true;
      body["stream_options"] = std::move(options);
    }
  }
  http::Request http_request;
  http_request.method = "POST";
  http_request.url = endpoint_;
  http_request.headers.emplace_back("Content-Type", "application/json");
  http_request.headers.emplace_back("Accept", streaming ? "text/event-stream" : "application/json");
  if (!config_.api_key.empty()) http_request.headers.emplace_back("Authorization", "Bearer " + config_.api_key);
  http_request.body = json::serialize(body);
  if (config_.timeout > std::chrono::milliseconds::zero()) http_request.timeout = config_.timeout;
  return http_request;
}

asio::awaitable<ChatResponse> OpenAIChatModel::complete(ChatRequest request) {
  http::Request http_request = build_http_request(request);
  std::string model_name = request.model.empty() ? config_.model : request.model;
  std::vector<std::string> secrets = http::secrets_of(http_request.headers, endpoint_);
  std::string who = describe();
  Call call(std::move(who), std::move(secrets), request.on_token);
  if (request.on_token) {
    http_request.on_body = [&call](std::string_view bytes) { call.feed(bytes); };
  }
  http::Response response;
  try {
    auto sending = client_.request(std::move(http_request));  // built first, then awaited (GCC 12 rule)
    http::Response got = co_await std::move(sending);
    response = std::move(got);
  } catch (const http::RequestError& e) {
    if (e.code() == http::error::cancelled) throw_cancelled(e);
    if (e.code() == http::error::timeout && config_.timeout > std::chrono::milliseconds::zero())
      throw_timed_out(e, config_);
    throw;
  }
  ChatResponse result = call.finish(response, request, model_name);
  co_return result;
}

}  // namespace weft
