// SPDX-License-Identifier: MIT
// The Chat Completions JSON of an OpenAI-compatible server: the request's messages as the API
// defines them, the answer read into a ChatResponse, and the message of an error body.
#include "nodes/model/detail/openai_wire.hpp"

#include "engine/error.hpp"
#include "nodes/model/detail/wire.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace weft::model::detail {

namespace json = boost::json;

[[noreturn]] void fail(model::error code, const std::string& message) {
  throw weft::Error(model::make_error_code(code), message);
}

// The message as the Chat Completions API defines it: Weft's extra keys (id, metadata, ...) removed.
json::object api_message(const json::value& value, std::size_t index) {
  if (!value.is_object()) {
    fail(error::invalid_request, "chat request: message " + std::to_string(index) + " is not a JSON object");
  }
  const auto& in = value.get_object();
  const std::string role = string_field(in, "role");
  if (role.empty()) fail(error::invalid_request, "chat request: message " + std::to_string(index) + " has no \"role\"");
  json::object out;
  out["role"] = role;
  if (const auto* content = in.if_contains("content")) {
    out["content"] = *content;
  } else {
    out["content"] = nullptr;
  }
  if (const auto* name = in.if_contains("name"); name != nullptr && name->is_string()) out["name"] = *name;
  if (role == "tool") {
    const auto* id = in.if_contains("tool_call_id");
    if (id == nullptr || !id->is_string()) {
      fail(error::invalid_request, "chat request: tool message " + std::to_string(index) + " has no \"tool_call_id\"");
    }
    out["tool_call_id"] = *id;
  }
  if (role == "assistant") {
    if (const auto* refusal = in.if_contains("refusal"); refusal != nullptr && refusal->is_string())
      out["refusal"] = *refusal;
    if (const auto* calls = in.if_contains("tool_calls");
        calls != nullptr && calls->is_array() && !calls->get_array().empty()) {
      json::array clean;
      for (const auto& c : calls->get_array()) {
        if (!c.is_object()) continue;
        const auto& call = c.get_object();
        json::object function;
        const auto* f = call.if_contains("function");
        if (f != nullptr && f->is_object()) {
          function["name"] = string_field(f->get_object(), "name");
          const auto* args = f->get_object().if_contains("arguments");
          function["arguments"] = args == nullptr     ? std::string("{}")
                                  : args->is_string() ? std::string(args->get_string())
                                                      : json::serialize(*args);
        }
        json::object cc;
        cc["id"] = string_field(call, "id");
        cc["type"] = "function";
        cc["function"] = std::move(function);
        clean.push_back(std::move(cc));
      }
      out["tool_calls"] = std::move(clean);
    }
  }
  return out;
}

std::string excerpt(std::string_view body) {
  std::string out(body.substr(0, 200));
  for (auto& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  if (body.size() > 200) out += "...";
  return out;
}

// The error message an OpenAI-compatible server put in its error body, or an excerpt of the body.
std::string api_error_message(const std::string& body) {
  boost::system::error_code ec;
  const json::value v = json::parse(body, ec);
  if (!ec && v.is_object()) {
    if (const auto* e = v.get_object().if_contains("error")) {
      if (e->is_object()) {
        const auto m = string_field(e->get_object(), "message");
        if (!m.empty()) return m;
      }
      if (e->is_string()) return std::string(e->get_string());
    }
  }
  return excerpt(body);
}

ChatResponse parse_completion(const json::object& body) {
  const auto* choices = body.if_contains("choices");
  if (choices == nullptr || !choices->is_array() || choices->get_array().empty() ||
      !choices->get_array()[0].is_object()) {
    if (body.contains("error")) {
      fail(error::api_error, "the model answered 200 with an error: " + api_error_message(json::serialize(body)));
    }
    fail(error::bad_response, "the response has no \"choices\": " + excerpt(json::serialize(body)));
  }
  const auto& choice = choices->get_array()[0].get_object();
  const auto* message = choice.if_contains("message");
  if (message == nullptr || !message->is_object()) {
    fail(error::bad_response, "the response's first choice has no \"message\" object");
  }
  const auto& m = message->get_object();
  ChatResponse response;
  response.message["role"] = "assistant";
  const auto* content = m.if_contains("content");
  if (content != nullptr && content->is_string()) {
    response.message["content"] = *content;
  } else {
    response.message["content"] = nullptr;
  }
  if (const auto* refusal = m.if_contains("refusal"); refusal != nullptr && refusal->is_string()) {
    response.refusal = std::string(refusal->get_string());
    response.message["refusal"] = *refusal;
  }
  json::object as_assistant = m;
  as_assistant["role"] = "assistant";  // some servers omit it
  response.tool_calls = tool_calls_of(as_assistant);
  if (!response.tool_calls.empty()) {
    json::array calls;
    for (const auto& c : response.tool_calls) calls.push_back(wire_tool_call(c));
    response.message["tool_calls"] = std::move(calls);
  }
  response.finish_reason = string_field(choice, "finish_reason");
  response.model = string_field(body, "model");
  if (const auto* usage = body.if_contains("usage"); usage != nullptr && usage->is_object()) {
    response.usage.prompt_tokens = int_field(usage->get_object(), "prompt_tokens");
    response.usage.completion_tokens = int_field(usage->get_object(), "completion_tokens");
    response.usage.total_tokens = int_field(usage->get_object(), "total_tokens");
  }
  return response;
}

}  // namespace weft::model::detail
