#pragma once
// ScriptedChatModel: answers from a script instead of an LLM, for tests and demos.
//
// A script is a JSON array; each entry answers one complete() call, in order:
//   "plain text"                                   -> assistant message with that content
//   {"content": "text"}                            -> same
//   {"tool_calls": [{"name":"f","arguments":{...}|"json text","id":"call_1"(optional)}],
//    "content": null|"text"(optional)}             -> assistant message with tool calls
//   {"message": {OpenAI assistant message}}        -> that message as is
// Optional keys of an object entry: "finish_reason" (default "tool_calls" when there are calls,
// else "stop"), "usage" {"prompt_tokens","completion_tokens"}, "model" (default "scripted").
// An object entry with "error": "text" makes that call throw weft::Error(model::error::api_error).

#include "nodes/model/chat_model.hpp"

#include <boost/json/array.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace weft {

/// Thread safety: complete() may be called concurrently; entries are handed out in call order.
class ScriptedChatModel final : public ChatModel {
 public:
  /// Throws weft::Error(model::error::invalid_script) naming the bad entry.
  explicit ScriptedChatModel(boost::json::array script, std::string name = "scripted");
  /// Reads the script from a JSON file. Throws invalid_script for unreadable or malformed files.
  static ScriptedChatModel from_file(const std::string& path);

  /// The next entry's response. Tool-call ids default to "call_<call index>_<call position>".
  /// Calls on_token once with the content, if any. Throws model::error::script_exhausted after the
  /// last entry. Completes inline on the awaiting coroutine's executor; not cancellable (instant).
  boost::asio::awaitable<ChatResponse> complete(ChatRequest request) override;
  std::string describe() const override;

  /// Every request received so far, in order (for assertions).
  std::vector<ChatRequest> requests() const;
  /// Entries not yet used.
  std::size_t remaining() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace weft
