#include "engine/checkpoint.hpp"
#include "engine/checkpointer.hpp"

#include <boost/json/array.hpp>

#include <algorithm>
#include <stdexcept>

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
  for (DeltaOp op : {DeltaOp::replace, DeltaOp::append, DeltaOp::merge_object, DeltaOp::merge_messages,
                     DeltaOp::remove}) {
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
  for (CheckpointSource s : {CheckpointSource::input, CheckpointSource::loop, CheckpointSource::update,
                             CheckpointSource::fork}) {
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

std::unique_ptr<ThreadLease> Checkpointer::acquire_lease(const std::string&) {
  return std::make_unique<ThreadLease>();
}

namespace {

[[noreturn]] void misfit(const ChannelDelta& delta, std::string_view why) {
  throw std::invalid_argument("channel '" + delta.channel + "': cannot apply " + std::string(to_string(delta.op)) +
                              " delta: " + std::string(why));
}

void merge_messages(boost::json::array& messages, const ChannelDelta& delta) {
  if (!delta.value.is_array()) misfit(delta, "value is not an array of messages");
  for (const boost::json::value& item : delta.value.get_array()) {
    const boost::json::object* message = item.if_object();
    const boost::json::value* id = message ? message->if_contains("id") : nullptr;
    if (!id || !id->is_string()) misfit(delta, "a message has no string \"id\"");
    const boost::json::value* type = message->if_contains("type");
    const bool removal = type && type->is_string() && type->get_string() == "remove";
    auto same_id = [&](const boost::json::value& m) {
      const boost::json::object* o = m.if_object();
      const boost::json::value* other = o ? o->if_contains("id") : nullptr;
      return other && *other == *id;
    };
    auto found = std::find_if(messages.begin(), messages.end(), same_id);
    if (removal) {
      if (found != messages.end()) messages.erase(found);
    } else if (found != messages.end()) {
      *found = item;
    } else {
      messages.push_back(item);
    }
  }
}

}  // namespace

void apply_delta(boost::json::object& values, const ChannelDelta& delta) {
  switch (delta.op) {
    case DeltaOp::replace:
      values[delta.channel] = delta.value;
      return;
    case DeltaOp::remove:
      values.erase(delta.channel);
      return;
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
