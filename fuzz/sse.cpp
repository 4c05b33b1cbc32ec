// SPDX-License-Identifier: MIT
// SSE decoding of a model's streamed answer (nodes/model/detail/sse.*): the body bytes come from a
// server. Oracle: the events do not depend on how the bytes were split across reads (the first
// byte of the input chooses the split sizes).

#include "nodes/model/detail/sse.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

std::vector<std::string> decode(std::string_view body, std::size_t piece) {
  std::vector<std::string> events;
  weft::model::detail::SseDecoder decoder([&events](const std::string& data) { events.push_back(data); });
  for (std::size_t at = 0; at < body.size(); at += piece) decoder.feed(body.substr(at, piece));
  decoder.finish();
  if (decoder.bytes() != body.size()) std::abort();
  return events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::size_t piece = 1 + data[0] % 7;
  const auto whole = decode(body, body.size() + 1);
  if (decode(body, piece) != whole) std::abort();
  return 0;
}
