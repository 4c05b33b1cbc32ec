// SPDX-License-Identifier: MIT
#include "nodes/model/offline_model.hpp"

#include "nodes/model/detail/offline_tasks.hpp"
#include "nodes/model/error.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace weft {

namespace json = boost::json;
namespace asio = boost::asio;

namespace {

std::string string_of(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::string content_text(const json::value& content) {
  if (content.is_string()) return std::string(content.get_string());
  if (content.is_array()) {  // [{"type":"text","text":"..."}]
    std::string out;
    for (const auto& part : content.get_array()) {
      if (part.is_object()) out += string_of(part.get_object(), "text");
    }
    return out;
  }
  return {};
}

// Every user message's text, joined by newlines (the material the heuristics read).
std::string user_text(const json::array& messages) {
  std::string out;
  for (const auto& m : messages) {
    if (!m.is_object() || string_of(m.get_object(), "role") != "user") continue;
    const auto* c = m.get_object().if_contains("content");
    if (c == nullptr) continue;
    if (!out.empty()) out += "\n";
    out += content_text(*c);
  }
  return out;
}

std::string last_user_text(const json::array& messages) {
  for (auto it = messages.rbegin(); it != messages.rend(); ++it) {
    if (!it->is_object() || string_of(it->get_object(), "role") != "user") continue;
    const auto* c = it->get_object().if_contains("content");
    return c == nullptr ? std::string() : content_text(*c);
  }
  return {};
}

std::string infer_task(const ChatRequest& request) {
  if (auto task = string_of(request.metadata, "task"); !task.empty()) return task;
  if (request.response_format) {
    const auto* spec = request.response_format->if_contains("json_schema");
    if (spec != nullptr && spec->is_object()) {
      const std::string name = string_of(spec->get_object(), "name");
      if (name.find("classif") != std::string::npos) return "classify";
      if (name.find("extract") != std::string::npos) return "extract";
      if (name.find("article") != std::string::npos) return "article";
      if (name.find("greeting") != std::string::npos) return "greeting";
      if (name.find("reply") != std::string::npos) return "reply";
    }
  }
  return "agent";
}

[[noreturn]] void invalid(const std::string& message) {
  throw weft::Error(model::make_error_code(model::error::invalid_request), "weft-offline: " + message);
}

// The whole answer, as a plain function: it may throw, and GCC 12 mishandles throws with
// temporaries inside coroutines.
ChatResponse answer(const ChatRequest& request) {
  const std::string task = infer_task(request);
  const json::object& meta = request.metadata;
  json::value structured;  // null for text tasks
  std::string text;

  if (task == "classify") {
    std::string input = string_of(meta, "text");
    if (input.empty()) input = user_text(request.messages);
    if (input.empty()) invalid("task 'classify' needs metadata.text or a user message");
    structured = model::detail::offline_classify(input);
  } else if (task == "extract") {
    std::string transcript = string_of(meta, "transcript");
    if (transcript.empty()) transcript = user_text(request.messages);
    if (transcript.empty()) invalid("task 'extract' needs metadata.transcript or a user message");
    structured = model::detail::offline_extract(transcript);
  } else if (task == "greeting") {
    text = model::detail::offline_greeting(meta);
  } else if (task == "article") {
    std::string problem = string_of(meta, "problem");
    std::string solution = string_of(meta, "solution");
    std::string title = string_of(meta, "title");
    if (problem.empty() && solution.empty()) {
      // The extraction JSON (or a transcript) in the last user message.
      const std::string last = last_user_text(request.messages);
      boost::system::error_code ec;
      json::value v = json::parse(last, ec);
      if (!ec && v.is_object()) {
        problem = string_of(v.get_object(), "problem");
        solution = string_of(v.get_object(), "solution");
        if (title.empty()) title = string_of(v.get_object(), "title");
      } else if (!last.empty()) {
        const json::object extracted = model::detail::offline_extract(last);
        problem = string_of(extracted, "problem");
        solution = string_of(extracted, "solution");
        if (title.empty()) title = string_of(extracted, "title");
      }
    }
    if (problem.empty() && solution.empty()) {
      invalid("task 'article' needs metadata.problem/solution or an extraction JSON in the last user message");
    }
    structured = model::detail::offline_article(problem, solution, title, string_of(meta, "locale"));
  } else if (task == "reply") {
    structured = model::detail::offline_reply(meta);
  } else if (task == "agent") {
    std::string instruction = string_of(meta, "instruction");
    if (instruction.empty()) instruction = last_user_text(request.messages);
    text =
        "No language model is configured, so this run used Weft's offline heuristic, which cannot plan "
        "or call tools. Nothing was done for: \"" +
        instruction.substr(0, 300) +
        "\". Set OPENAI_API_KEY (and optionally OPENAI_BASE_URL, WEFT_MODEL) to run this agent with an LLM.";
  } else {
    invalid("unknown task '" + task +
            "'; known tasks: classify, extract, greeting, article, reply, agent (see nodes/model/offline_model.md)");
  }

  ChatResponse response;
  if (!structured.is_null()) text = json::serialize(structured);
  response.message["role"] = "assistant";
  response.message["content"] = text;
  json::object marker;
  marker["offline"] = true;
  marker["task"] = task;
  marker["model"] = OfflineModel::model_name;
  response.message["metadata"] = std::move(marker);
  response.finish_reason = "stop";
  response.model = OfflineModel::model_name;
  response.parsed = std::move(structured);
  response.raw = response.message;
  if (request.on_token) request.on_token(text);
  return response;
}

}  // namespace

asio::awaitable<ChatResponse> OfflineModel::complete(ChatRequest request) {
  ChatResponse response = answer(request);
  co_return response;
}

}  // namespace weft
