// SPDX-License-Identifier: MIT
#include "nodes/model/detail/sse.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

TEST_CASE("SSE events decode the same whatever the byte splits, with CRLF, comments and multi-line data") {
  const std::string stream = ": ping\r\ndata: {\"a\":1}\r\n\r\nevent: x\ndata: line1\ndata: line2\n\ndata: [DONE]\n\n";
  const std::vector<std::string> expected = {"{\"a\":1}", "line1\nline2", "[DONE]"};
  for (std::size_t split = 1; split <= stream.size(); ++split) {
    std::vector<std::string> events;
    weft::model::detail::SseDecoder decoder([&](const std::string& data) { events.push_back(data); });
    for (std::size_t i = 0; i < stream.size(); i += split) decoder.feed(std::string_view(stream).substr(i, split));
    decoder.finish();
    CAPTURE(split);
    CHECK(events == expected);
  }
}

TEST_CASE("a last SSE event without a blank line is delivered at finish") {
  std::vector<std::string> events;
  weft::model::detail::SseDecoder decoder([&](const std::string& data) { events.push_back(data); });
  decoder.feed("data: tail");
  CHECK(events.empty());
  decoder.finish();
  CHECK(events == std::vector<std::string>{"tail"});
}
