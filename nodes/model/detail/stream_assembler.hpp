// SPDX-License-Identifier: MIT
#pragma once
// Assembles chat.completion.chunk objects into one ChatResponse (private): content deltas in order,
// tool-call deltas merged by index (id and name from the first, arguments concatenated), finish
// reason, usage, model.

#include "nodes/model/chat_model.hpp"

#include <boost/json/object.hpp>

#include <map>
#include <optional>
#include <string>

namespace weft::model::detail {

class StreamAssembler {
 public:
  explicit StreamAssembler(TokenCallback on_token) : on_token_(std::move(on_token)) {}

  /// Adds one chunk. Throws weft::Error(model::error::api_error) when the chunk is an error object
  /// ({"error": {...}}), bad_response when it has neither choices nor usage.
  void add(const boost::json::object& chunk);
  bool finished() const noexcept { return !finish_reason_.empty(); }
  /// The assembled response (raw = the array of chunks).
  ChatResponse result() &&;

 private:
  struct PartialCall {
    std::string id;
    std::string type = "function";
    std::string name;
    std::string arguments;
  };
  TokenCallback on_token_;
  std::string content_;
  bool has_content_ = false;
  std::optional<std::string> refusal_;  // the streamed refusal deltas, joined
  std::map<std::int64_t, PartialCall> calls_;
  std::string finish_reason_;
  std::string model_;
  Usage usage_;
  boost::json::array chunks_;
};

}  // namespace weft::model::detail
