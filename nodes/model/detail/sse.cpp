// SPDX-License-Identifier: MIT
#include "nodes/model/detail/sse.hpp"

namespace weft::model::detail {

void SseDecoder::feed(std::string_view bytes) {
  bytes_ += bytes.size();
  pending_.append(bytes);
  std::size_t start = 0;
  for (;;) {
    const auto nl = pending_.find('\n', start);
    if (nl == std::string::npos) break;
    std::string_view text(pending_.data() + start, nl - start);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    line(text);
    start = nl + 1;
  }
  pending_.erase(0, start);
}

void SseDecoder::finish() {
  if (!pending_.empty()) {
    std::string last = std::move(pending_);
    pending_.clear();
    if (!last.empty() && last.back() == '\r') last.pop_back();
    line(last);
  }
  line("");
}

void SseDecoder::line(std::string_view text) {
  if (text.empty()) {
    if (has_data_) {
      std::string data = std::move(data_);
      data_.clear();
      has_data_ = false;
      on_event_(data);
    }
    return;
  }
  if (text.front() == ':') return;  // comment (keep-alive pings)
  const auto colon = text.find(':');
  const std::string_view field = text.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? std::string_view{} : text.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (field != "data") return;
  if (has_data_) data_ += '\n';
  data_.append(value);
  has_data_ = true;
}

}  // namespace weft::model::detail
