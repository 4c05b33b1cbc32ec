// SPDX-License-Identifier: MIT
#pragma once
// ScriptedChatModel: answers from a script instead of an LLM, for tests and demos.
//
// A script is a JSON array; each entry answers one complete() call, in order:
//   "plain text"                                   -> assistant message with that content
//   {"content": "text"}                            -> same
//   {"tool_calls": [{"name":"f","arguments":{...}|"json text","id":"call_1"(optional)}],
//    "content": null|"text"(optional)}             -> assistant message with tool calls
//   {"message": {OpenAI assistant message}}        -> that message as is (a "refusal" in it is
//                                                     also ChatResponse::refusal)
// Optional keys of an object entry: "finish_reason" (default "tool_calls" when there are calls,
// else "stop"), "usage" {"prompt_tokens","completion_tokens"}, "model" (default "scripted").
// An object entry with "error": "text" makes that call throw weft::Error(model::error::api_error).
//
// Which entry answers a call (ScriptOrder):
//   calls (default)  the next unused entry, in call order: for graphs whose model calls are
//                    independent (classifications fanned out by Send).
//   turns            the entry whose index is the number of assistant messages in the request:
//                    the answer to a conversation's turn N is entry N, however many calls the
//                    process made before. A resumed process (`weft resume` after a crash) whose
//                    earlier turns are replayed from the journal thus gets the right next answer.
// A script file chooses with its top level: an array is `calls`; {"order": "turns", "replies":
// [...]} is `turns` ({"order": "calls", ...} is the default spelled out).

#include "nodes/model/chat_model.hpp"

#include <boost/json/array.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace weft {

/// Which script entry answers a call (see above).
enum class ScriptOrder { calls, turns };

/// Thread safety: complete() may be called concurrently; in `calls` order entries are handed out
/// in call order.
class ScriptedChatModel final : public ChatModel {
 public:
  /// Throws weft::Error(model::error::invalid_script) naming the bad entry.
  explicit ScriptedChatModel(boost::json::array script, std::string name = "scripted",
                             ScriptOrder order = ScriptOrder::calls);
  /// Reads the script from a JSON file (an array, or {"order", "replies"}). Throws invalid_script
  /// for unreadable or malformed files.
  static ScriptedChatModel from_file(const std::string& path);

  /// The chosen entry's response. Tool-call ids default to "call_<entry index>_<call position>".
  /// Calls on_token once with the content, if any. Throws model::error::script_exhausted when no
  /// entry is left (`calls`) or the turn has none (`turns`). Completes inline on the awaiting
  /// coroutine's executor; not cancellable (instant).
  boost::asio::awaitable<ChatResponse> complete(ChatRequest request) override;
  std::string describe() const override;

  /// Every request received so far, in order (for assertions).
  std::vector<ChatRequest> requests() const;
  /// Entries not yet used (`turns`: entries after the latest turn answered).
  std::size_t remaining() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace weft
