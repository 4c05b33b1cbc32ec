// SPDX-License-Identifier: MIT
#include "engine/checkpoint.hpp"
#include "engine/checkpointer.hpp"

#include <boost/json/array.hpp>

#include <algorithm>
#include <stdexcept>
#include <unordered_map>

namespace weft {

std::string_view to_string(DeltaOp op) noexcept {
  switch (op) {
    case DeltaOp::replace: return "replace";
    case DeltaOp::append: return "append";
    case DeltaOp::merge_object: return "merge_object";
    case DeltaOp::merge_messages: return "merge_messages";
    case DeltaOp::remove: return "remove";
  }
  return "replace";
}

std::optional<DeltaOp> parse_delta_op(std::string_view name) noexcept {
  for (DeltaOp op :
       {DeltaOp::replace, DeltaOp::append, DeltaOp::merge_object, DeltaOp::merge_messages, DeltaOp::remove}) {
    if (to_string(op) == name) return op;
  }
  return std::nullopt;
}

std::string_view to_string(CheckpointSource source) noexcept {
  switch (source) {
    case CheckpointSource::input: return "input";
    case CheckpointSource::loop: return "loop";
    case CheckpointSource::update: return "update";
    case CheckpointSource::fork: return "fork";
  }
  return "loop";
}

std::optional<CheckpointSource> parse_checkpoint_source(std::string_view name) noexcept {
  for (CheckpointSource s :
       {CheckpointSource::input, CheckpointSource::loop, CheckpointSource::update, CheckpointSource::fork}) {
    if (to_string(s) == name) return s;
  }
  return std::nullopt;
}

std::string_view to_string(ThreadStatus status) noexcept {
  switch (status) {
    case ThreadStatus::running: return "running";
    case ThreadStatus::interrupted: return "interrupted";
    case ThreadStatus::done: return "done";
    case ThreadStatus::failed: return "failed";
  }
  return "running";
}

std::unique_ptr<ThreadLease> Checkpointer::acquire_lease(const std::string&) { return std::make_unique<ThreadLease>(); }

namespace {

[[noreturn]] void misfit(const ChannelDelta& delta, std::string_view why) {
  throw std::invalid_argument("channel '" + delta.channel + "': cannot apply " + std::string(to_string(delta.op)) +
                              " delta: " + std::string(why));
}

struct MessageItem {
  const boost::json::value* item;
  boost::json::string_view id;
  bool removal;
};

MessageItem message_item(const ChannelDelta& delta, const boost::json::value& item) {
  const boost::json::object* message = item.if_object();
  const boost::json::value* id = message ? message->if_contains("id") : nullptr;
  if (!id || !id->is_string()) misfit(delta, "a message has no string \"id\"");
  const boost::json::value* type = message->if_contains("type");
  return {&item, id->get_string(), type && type->is_string() && type->get_string() == "remove"};
}

const boost::json::string* id_of(const boost::json::value& message) noexcept {
  const boost::json::object* o = message.if_object();
  const boost::json::value* id = o ? o->if_contains("id") : nullptr;
  return id ? id->if_string() : nullptr;
}

// Without an index: one scan of the channel per message.
void merge_messages(boost::json::array& messages, const ChannelDelta& delta) {
  if (!delta.value.is_array()) misfit(delta, "value is not an array of messages");
  for (const boost::json::value& item : delta.value.get_array()) {
    const MessageItem m = message_item(delta, item);
    auto found = std::find_if(messages.begin(), messages.end(), [&](const boost::json::value& other) {
      const boost::json::string* id = id_of(other);
      return id && *id == m.id;
    });
    if (m.removal) {
      if (found != messages.end()) messages.erase(found);
    } else if (found != messages.end()) {
      *found = item;
    } else {
      messages.push_back(item);
    }
  }
}

}  // namespace

// ---- StateFolder ----------------------------------------------------------------------------

struct StateFolder::MessageIds {
  std::unordered_map<std::string, std::size_t> position;
  std::size_t size = 0;  // the channel's length the index describes
  bool valid = false;

  void rebuild(const boost::json::array& messages) {
    position.clear();
    position.reserve(messages.size());
    for (std::size_t i = 0; i < messages.size(); ++i)
      if (const boost::json::string* id = id_of(messages[i])) position.try_emplace(std::string(*id), i);
    size = messages.size();
    valid = true;
  }

  void merge(boost::json::array& messages, const ChannelDelta& delta) {
    if (!delta.value.is_array()) misfit(delta, "value is not an array of messages");
    for (const boost::json::value& item : delta.value.get_array()) {
      const MessageItem m = message_item(delta, item);
      if (!valid || size != messages.size()) rebuild(messages);
      const std::string key(m.id);
      auto found = position.find(key);
      // The index is a cache: a position whose message no longer has the id means the channel
      // was changed behind the folder's back; rebuild rather than trust it.
      if (found != position.end()) {
        const boost::json::string* at = found->second < messages.size() ? id_of(messages[found->second]) : nullptr;
        if (!at || *at != m.id) {
          rebuild(messages);
          found = position.find(key);
        }
      }
      if (m.removal) {
        if (found == position.end()) continue;
        messages.erase(messages.begin() + static_cast<std::ptrdiff_t>(found->second));
        valid = false;  // later positions shifted
      } else if (found != position.end()) {
        messages[found->second] = item;
      } else {
        messages.push_back(item);
        position.emplace(key, messages.size() - 1);
        size = messages.size();
      }
    }
  }
};

StateFolder::StateFolder() = default;
StateFolder::~StateFolder() = default;
StateFolder::StateFolder(StateFolder&&) noexcept = default;
StateFolder& StateFolder::operator=(StateFolder&&) noexcept = default;

void StateFolder::reset() noexcept { channels_.clear(); }

void StateFolder::apply(boost::json::object& values, const ChannelDelta& delta) {
  if (delta.op != DeltaOp::merge_messages) {
    apply_delta(values, delta);
    return;
  }
  boost::json::value& target = values[delta.channel];
  if (target.is_null()) target = boost::json::array();
  if (!target.is_array()) misfit(delta, "current value is not an array");
  auto it = std::find_if(channels_.begin(), channels_.end(), [&](const auto& c) { return c.first == delta.channel; });
  if (it == channels_.end()) {
    channels_.emplace_back(delta.channel, std::make_unique<MessageIds>());
    it = channels_.end() - 1;
  }
  it->second->merge(target.get_array(), delta);
}

// ---- apply_delta ------------------------------------------------------------------------------

void apply_delta(boost::json::object& values, const ChannelDelta& delta) {
  switch (delta.op) {
    case DeltaOp::replace: values[delta.channel] = delta.value; return;
    case DeltaOp::remove: values.erase(delta.channel); return;
    case DeltaOp::append: {
      if (!delta.value.is_array()) misfit(delta, "value is not an array");
      boost::json::value& target = values[delta.channel];
      if (target.is_null()) target = boost::json::array();
      if (!target.is_array()) misfit(delta, "current value is not an array");
      boost::json::array& items = target.get_array();
      for (const boost::json::value& item : delta.value.get_array()) items.push_back(item);
      return;
    }
    case DeltaOp::merge_object: {
      if (!delta.value.is_object()) misfit(delta, "value is not an object");
      boost::json::value& target = values[delta.channel];
      if (target.is_null()) target = boost::json::object();
      if (!target.is_object()) misfit(delta, "current value is not an object");
      for (const auto& [key, value] : delta.value.get_object()) target.get_object()[key] = value;
      return;
    }
    case DeltaOp::merge_messages: {
      boost::json::value& target = values[delta.channel];
      if (target.is_null()) target = boost::json::array();
      if (!target.is_array()) misfit(delta, "current value is not an array");
      merge_messages(target.get_array(), delta);
      return;
    }
  }
}

}  // namespace weft
