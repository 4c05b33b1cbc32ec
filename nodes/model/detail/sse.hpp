// SPDX-License-Identifier: MIT
#pragma once
// Server-Sent Events decoding (private): bytes in, each event's data out. Only what the Chat
// Completions stream uses: "data:" fields (several join with '\n'), comments (':') and other fields
// ignored, events end at a blank line, LF or CRLF line ends.

#include <functional>
#include <string>
#include <string_view>

namespace weft::model::detail {

class SseDecoder {
 public:
  /// Called with the data of each complete event (without the trailing newline).
  using EventHandler = std::function<void(const std::string& data)>;
  explicit SseDecoder(EventHandler on_event) : on_event_(std::move(on_event)) {}

  /// Feeds raw body bytes in any split. Exceptions from the handler propagate.
  void feed(std::string_view bytes);
  /// Call at end of body: dispatches a last event not followed by a blank line.
  void finish();
  /// Bytes received so far.
  std::size_t bytes() const noexcept { return bytes_; }

 private:
  void line(std::string_view text);

  EventHandler on_event_;
  std::string pending_;  // an incomplete line
  std::string data_;     // data of the event being read
  bool has_data_ = false;
  std::size_t bytes_ = 0;
};

}  // namespace weft::model::detail
