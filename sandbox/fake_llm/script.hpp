// SPDX-License-Identifier: MIT
#pragma once
// The fake LLM's script: which answer (or fault) each /v1/chat/completions request gets.
// The format is documented in sandbox/fake_llm/README.md.

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace weft::sandbox::fake_llm {

/// One tool call in a scripted reply.
struct ScriptedToolCall {
  std::string id;  ///< default "call_<entry>_<position>"
  std::string name;
  std::string arguments;  ///< JSON text (an object given in the script is serialised)
};

/// The assistant turn an entry produces.
struct Reply {
  std::optional<std::string> content;  ///< null content when unset
  std::vector<ScriptedToolCall> tool_calls;
  std::string finish_reason;            ///< default "tool_calls" when there are calls, else "stop"
  std::int64_t prompt_tokens = -1;      ///< -1 = estimated from the request size
  std::int64_t completion_tokens = -1;  ///< -1 = estimated from the reply size
  std::optional<std::string> refusal;   ///< the model declines: message.refusal (streamed as refusal deltas)
};

/// A misbehaviour instead of (or before) a normal answer.
struct Fault {
  std::optional<int> status;  ///< answer this status (with `body` or an OpenAI error object)
  std::vector<std::pair<std::string, std::string>> headers;  ///< added to the answer
  std::optional<std::string> body;                           ///< raw body of a status fault
  std::chrono::milliseconds delay{0};                        ///< wait before answering
  bool drop = false;                                         ///< close the connection without answering
  bool malformed = false;  ///< 200 with a body that is not valid JSON (or, streaming, a bad data: line)
  std::optional<std::size_t> cut_stream_after;  ///< streaming: close after this many SSE events
};

/// Conditions an entry needs to apply to a request. Unset = any.
struct Match {
  std::optional<std::string> contains;  ///< substring of the last user message's content
  std::optional<std::string> model;     ///< exact "model" of the request
  std::optional<bool> stream;           ///< request's "stream"
  std::optional<bool> has_tools;        ///< the request lists tools
  std::optional<bool> after_tool;       ///< the last message has role "tool"
};

struct Entry {
  Match match;
  std::optional<Reply> reply;
  std::optional<Fault> fault;
  int uses = 1;  ///< how many requests it answers; -1 = unlimited
};

/// Parses a script (a JSON array of entries). Throws std::invalid_argument naming the bad entry.
std::vector<Entry> parse_script(const boost::json::value& script);

/// The entries and their remaining uses. Thread safety: take() is thread-safe.
class Script {
 public:
  explicit Script(std::vector<Entry> entries = {});
  /// The first entry in order that matches `request` (a parsed chat request body) and has uses
  /// left; consumes one use. `index` receives the entry's position. nullopt when none matches.
  std::optional<Entry> take(const boost::json::object& request, std::size_t* index = nullptr);
  void replace(std::vector<Entry> entries);
  std::size_t remaining() const;  ///< entries with uses left (unlimited ones count as one)

 private:
  mutable std::mutex mutex_;
  std::vector<Entry> entries_;
  std::vector<int> left_;
};

}  // namespace weft::sandbox::fake_llm
