// SPDX-License-Identifier: MIT
// Stable text names of the engine's small enums.
#include "engine/channel.hpp"
#include "engine/run_result.hpp"
#include "engine/stream.hpp"

namespace weft {

std::string_view to_string(ChannelKind kind) noexcept {
  switch (kind) {
    case ChannelKind::last_value: return "last_value";
    case ChannelKind::append: return "append";
    case ChannelKind::messages: return "messages";
    case ChannelKind::counter: return "counter";
    case ChannelKind::object_merge: return "object_merge";
    case ChannelKind::reducer: return "reducer";
  }
  return "last_value";
}

std::string_view to_string(StreamMode mode) noexcept {
  switch (mode) {
    case StreamMode::values: return "values";
    case StreamMode::updates: return "updates";
    case StreamMode::custom: return "custom";
    case StreamMode::debug: return "debug";
    case StreamMode::messages: return "messages";
  }
  return "values";
}

std::string_view to_string(RunStatus status) noexcept {
  switch (status) {
    case RunStatus::done: return "done";
    case RunStatus::interrupted: return "interrupted";
    case RunStatus::failed: return "failed";
  }
  return "done";
}

}  // namespace weft
