// SPDX-License-Identifier: MIT
#include "nodes/model/detail/stream_assembler.hpp"

#include "nodes/model/detail/wire.hpp"
#include "nodes/model/error.hpp"

#include <boost/json/serialize.hpp>

namespace weft::model::detail {

namespace json = boost::json;

void StreamAssembler::add(const json::object& chunk) {
  if (const auto* err = chunk.if_contains("error")) {
    std::string message = err->is_object() ? string_field(err->get_object(), "message") : json::serialize(*err);
    throw weft::Error(make_error_code(error::api_error), "the model reported an error in its stream: " + message);
  }
  chunks_.push_back(chunk);
  if (model_.empty()) model_ = string_field(chunk, "model");
  if (const auto* usage = chunk.if_contains("usage"); usage != nullptr && usage->is_object()) {
    usage_.prompt_tokens = int_field(usage->get_object(), "prompt_tokens");
    usage_.completion_tokens = int_field(usage->get_object(), "completion_tokens");
    usage_.total_tokens = int_field(usage->get_object(), "total_tokens");
  }
  const auto* choices = chunk.if_contains("choices");
  if (choices == nullptr || !choices->is_array()) {
    if (chunk.contains("usage")) return;
    throw weft::Error(make_error_code(error::bad_response),
                      "a stream chunk has no \"choices\" array: " + json::serialize(chunk).substr(0, 200));
  }
  for (const auto& choice_value : choices->get_array()) {
    if (!choice_value.is_object()) continue;
    const auto& choice = choice_value.get_object();
    if (int_field(choice, "index") != 0) continue;  // Weft asks for one choice
    if (const auto* delta_value = choice.if_contains("delta"); delta_value != nullptr && delta_value->is_object()) {
      const auto& delta = delta_value->get_object();
      if (const auto* c = delta.if_contains("content"); c != nullptr && c->is_string()) {
        has_content_ = true;
        const std::string_view piece = c->get_string();
        if (!piece.empty()) {
          content_.append(piece);
          if (on_token_) on_token_(piece);
        }
      }
      if (const auto* r = delta.if_contains("refusal"); r != nullptr && r->is_string()) {
        const std::string_view piece = r->get_string();
        if (!refusal_) refusal_.emplace();
        refusal_->append(piece);
      }
      if (const auto* tc = delta.if_contains("tool_calls"); tc != nullptr && tc->is_array()) {
        for (const auto& call_value : tc->get_array()) {
          if (!call_value.is_object()) continue;
          const auto& call = call_value.get_object();
          auto& partial = calls_[int_field(call, "index")];
          if (const auto id = string_field(call, "id"); !id.empty()) partial.id = id;
          if (const auto type = string_field(call, "type"); !type.empty()) partial.type = type;
          if (const auto* f = call.if_contains("function"); f != nullptr && f->is_object()) {
            if (const auto name = string_field(f->get_object(), "name"); !name.empty()) partial.name += name;
            partial.arguments += string_field(f->get_object(), "arguments");
          }
        }
      }
    }
    if (const auto* fr = choice.if_contains("finish_reason"); fr != nullptr && fr->is_string()) {
      finish_reason_ = std::string(fr->get_string());
    }
  }
}

ChatResponse StreamAssembler::result() && {
  ChatResponse response;
  response.message["role"] = "assistant";
  if (has_content_ && (!content_.empty() || calls_.empty())) {
    response.message["content"] = content_;
  } else {
    response.message["content"] = nullptr;
  }
  if (refusal_) {
    response.message["refusal"] = *refusal_;
    response.refusal = std::move(refusal_);
  }
  if (!calls_.empty()) {
    json::array calls;
    for (auto& [index, partial] : calls_) {
      ToolCall call{partial.id, partial.name, partial.arguments};
      calls.push_back(wire_tool_call(call, partial.type));
      response.tool_calls.push_back(std::move(call));
    }
    response.message["tool_calls"] = std::move(calls);
  }
  response.finish_reason = finish_reason_;
  response.model = model_;
  response.usage = usage_;
  if (response.usage.total_tokens == 0) response.usage.total_tokens = usage_.prompt_tokens + usage_.completion_tokens;
  response.raw = std::move(chunks_);
  return response;
}

}  // namespace weft::model::detail
