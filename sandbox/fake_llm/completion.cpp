// SPDX-License-Identifier: MIT
#include "sandbox/fake_llm/completion.hpp"

#include <boost/json/serialize.hpp>

namespace weft::sandbox::fake_llm {

namespace json = boost::json;

std::int64_t estimate_tokens(std::string_view text) {
  return std::max<std::int64_t>(1, static_cast<std::int64_t>(text.size() + 3) / 4);
}

namespace {

json::object usage_of(const Reply& reply, const CompletionMeta& meta) {
  std::int64_t completion = reply.completion_tokens;
  if (completion < 0) {
    std::string text = reply.content.value_or("") + reply.refusal.value_or("");
    for (const auto& c : reply.tool_calls) text += c.name + c.arguments;
    completion = estimate_tokens(text);
  }
  const std::int64_t prompt = reply.prompt_tokens >= 0 ? reply.prompt_tokens : meta.prompt_tokens;
  json::object usage;
  usage["prompt_tokens"] = prompt;
  usage["completion_tokens"] = completion;
  usage["total_tokens"] = prompt + completion;
  return usage;
}

json::object chunk_base(const CompletionMeta& meta) {
  json::object chunk;
  chunk["id"] = meta.id;
  chunk["object"] = "chat.completion.chunk";
  chunk["created"] = meta.created;
  chunk["model"] = meta.model;
  return chunk;
}

std::string event(const json::object& chunk) { return "data: " + json::serialize(chunk) + "\n\n"; }

json::object choice_with_delta(json::object delta, const json::value& finish_reason) {
  json::object choice;
  choice["index"] = 0;
  choice["delta"] = std::move(delta);
  choice["logprobs"] = nullptr;
  choice["finish_reason"] = finish_reason;
  return choice;
}

// Splits text into tokens that keep their leading space ("Hello", " world", "!").
std::vector<std::string> tokens_of(const std::string& text) {
  std::vector<std::string> tokens;
  std::string current;
  for (char c : text) {
    if (c == ' ' && !current.empty() && current.back() != ' ') {
      tokens.push_back(std::move(current));
      current.clear();
    }
    current += c;
  }
  if (!current.empty()) tokens.push_back(std::move(current));
  return tokens;
}

}  // namespace

json::object completion_object(const Reply& reply, const CompletionMeta& meta) {
  json::object message;
  message["role"] = "assistant";
  if (reply.content) {
    message["content"] = *reply.content;
  } else {
    message["content"] = nullptr;
  }
  if (!reply.tool_calls.empty()) {
    json::array calls;
    for (const auto& c : reply.tool_calls) {
      json::object function;
      function["name"] = c.name;
      function["arguments"] = c.arguments;
      json::object call;
      call["id"] = c.id;
      call["type"] = "function";
      call["function"] = std::move(function);
      calls.push_back(std::move(call));
    }
    message["tool_calls"] = std::move(calls);
  }
  if (reply.refusal) {
    message["refusal"] = *reply.refusal;
  } else {
    message["refusal"] = nullptr;
  }
  json::object choice;
  choice["index"] = 0;
  choice["message"] = std::move(message);
  choice["logprobs"] = nullptr;
  choice["finish_reason"] = reply.finish_reason;
  json::array choices;
  choices.push_back(std::move(choice));
  json::object out;
  out["id"] = meta.id;
  out["object"] = "chat.completion";
  out["created"] = meta.created;
  out["model"] = meta.model;
  out["choices"] = std::move(choices);
  out["usage"] = usage_of(reply, meta);
  out["system_fingerprint"] = "fp_weft_fake";
  return out;
}

std::vector<std::string> stream_events(const Reply& reply, const CompletionMeta& meta, bool include_usage) {
  std::vector<std::string> events;
  auto push = [&](json::object delta, const json::value& finish) {
    json::object chunk = chunk_base(meta);
    json::array choices;
    choices.push_back(choice_with_delta(std::move(delta), finish));
    chunk["choices"] = std::move(choices);
    events.push_back(event(chunk));
  };
  {
    json::object delta;
    delta["role"] = "assistant";
    delta["content"] = "";
    push(std::move(delta), nullptr);
  }
  if (reply.content) {
    for (const auto& token : tokens_of(*reply.content)) {
      json::object delta;
      delta["content"] = token;
      push(std::move(delta), nullptr);
    }
  }
  if (reply.refusal) {  // OpenAI streams a refusal as "refusal" deltas instead of content
    for (const auto& token : tokens_of(*reply.refusal)) {
      json::object delta;
      delta["refusal"] = token;
      push(std::move(delta), nullptr);
    }
  }
  for (std::size_t i = 0; i < reply.tool_calls.size(); ++i) {
    const auto& c = reply.tool_calls[i];
    {  // the first delta of a call carries its index, id, type and name
      json::object function;
      function["name"] = c.name;
      function["arguments"] = "";
      json::object call;
      call["index"] = static_cast<std::int64_t>(i);
      call["id"] = c.id;
      call["type"] = "function";
      call["function"] = std::move(function);
      json::array calls;
      calls.push_back(std::move(call));
      json::object delta;
      delta["tool_calls"] = std::move(calls);
      push(std::move(delta), nullptr);
    }
    const std::size_t half = c.arguments.size() / 2;
    for (const auto& piece : {c.arguments.substr(0, half), c.arguments.substr(half)}) {
      if (piece.empty()) continue;
      json::object function;
      function["arguments"] = piece;
      json::object call;
      call["index"] = static_cast<std::int64_t>(i);
      call["function"] = std::move(function);
      json::array calls;
      calls.push_back(std::move(call));
      json::object delta;
      delta["tool_calls"] = std::move(calls);
      push(std::move(delta), nullptr);
    }
  }
  push(json::object(), json::value(reply.finish_reason));
  if (include_usage) {
    json::object chunk = chunk_base(meta);
    chunk["choices"] = json::array();
    chunk["usage"] = usage_of(reply, meta);
    events.push_back(event(chunk));
  }
  events.push_back("data: [DONE]\n\n");
  return events;
}

}  // namespace weft::sandbox::fake_llm
