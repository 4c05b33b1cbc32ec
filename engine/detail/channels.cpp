// SPDX-License-Identifier: MIT
#include "engine/detail/channels.hpp"

#include "engine/error.hpp"

#include <boost/json/array.hpp>

#include <algorithm>
#include <exception>
#include <set>

namespace weft::detail {
namespace {

[[noreturn]] void bad_update(std::string_view who, std::string_view key, std::string_view why) {
  throw Error(engine::error::invalid_update,
              std::string(who) + " wrote state key '" + std::string(key) + "': " + std::string(why));
}

bool is_number(const boost::json::value& v) { return v.is_int64() || v.is_uint64() || v.is_double(); }

boost::json::value add_numbers(const boost::json::value& a, const boost::json::value& b) {
  if (a.is_null()) return b;
  if (a.is_double() || b.is_double()) return boost::json::value(a.to_number<double>() + b.to_number<double>());
  return boost::json::value(a.to_number<std::int64_t>() + b.to_number<std::int64_t>());
}

void normalize_messages(boost::json::value& value, std::string_view task_id, std::size_t& counter, std::string_view who,
                        std::string_view key) {
  if (value.is_object()) {
    boost::json::array one;
    one.push_back(std::move(value));
    value = std::move(one);
  }
  if (!value.is_array()) bad_update(who, key, "a messages channel takes a message object or an array of them");
  for (boost::json::value& item : value.get_array()) {
    boost::json::object* message = item.if_object();
    if (!message) bad_update(who, key, "every message must be an object");
    const boost::json::value* id = message->if_contains("id");
    const boost::json::value* type = message->if_contains("type");
    const bool removal = type && type->is_string() && type->get_string() == "remove";
    if (id && id->is_string() && !id->get_string().empty()) continue;
    if (removal) bad_update(who, key, "a {\"type\":\"remove\"} message needs the \"id\" to remove");
    (*message)["id"] = std::string(task_id) + ":" + std::to_string(counter++);
  }
}

void append_items(boost::json::array& target, const boost::json::value& write) {
  if (write.is_array()) {
    for (const boost::json::value& item : write.get_array()) target.push_back(item);
  } else {
    target.push_back(write);
  }
}

}  // namespace

void normalize_update(const Schema& schema, boost::json::object& update, std::string_view task_id,
                      std::string_view who) {
  std::size_t message_counter = 0;
  for (auto& [key, value] : update) {
    auto channel = schema.find(std::string_view(key));
    if (channel == schema.end()) {
      bad_update(who, key, "the key is not in the state schema; declare it with StateGraph::add_channel");
    }
    switch (channel->second.kind) {
      case ChannelKind::counter:
        if (!is_number(value)) bad_update(who, key, "a counter channel takes numbers");
        break;
      case ChannelKind::object_merge:
        if (!value.is_object()) bad_update(who, key, "an object_merge channel takes objects");
        break;
      case ChannelKind::messages: normalize_messages(value, task_id, message_counter, who, key); break;
      default: break;
    }
  }
}

boost::json::value fold_local(const Channel& channel, const boost::json::value* current,
                              const std::vector<const boost::json::value*>& writes) {
  boost::json::value value = current ? *current : boost::json::value();
  for (const boost::json::value* write : writes) {
    switch (channel.kind) {
      case ChannelKind::last_value: value = *write; break;
      case ChannelKind::append:
        if (!value.is_array()) value = boost::json::array();
        append_items(value.get_array(), *write);
        break;
      case ChannelKind::messages: {
        boost::json::object holder;
        holder["m"] = std::move(value);
        apply_delta(holder, ChannelDelta{"m", DeltaOp::merge_messages, *write});
        value = std::move(holder["m"]);
        break;
      }
      case ChannelKind::counter: value = add_numbers(value, *write); break;
      case ChannelKind::object_merge:
        if (!value.is_object()) value = boost::json::object();
        for (const auto& [k, v] : write->get_object()) value.get_object()[k] = v;
        break;
      case ChannelKind::reducer: value = channel.reducer(std::move(value), *write); break;
    }
  }
  return value;
}

void apply_step_writes(const Schema& schema, boost::json::object& state, std::vector<StepWrite> writes,
                       std::vector<ChannelDelta>* deltas, StateFolder* folder) {
  std::stable_sort(writes.begin(), writes.end(), [](const StepWrite& a, const StepWrite& b) { return a.key < b.key; });

  struct Group {
    std::size_t begin, end;
    const Channel* channel;
    boost::json::value reduced;  // reducer channels: computed before anything is changed
  };
  std::vector<Group> groups;
  // Phase 1 checks everything that can fail, so a failure leaves `state` untouched.
  for (std::size_t begin = 0; begin < writes.size();) {
    std::size_t end = begin + 1;
    while (end < writes.size() && writes[end].key == writes[begin].key) ++end;
    const std::string_view key = writes[begin].key;
    auto found = schema.find(key);
    if (found == schema.end()) bad_update(writes[begin].node, key, "the key is not in the state schema");
    Group group{begin, end, &found->second, {}};
    if (group.channel->kind == ChannelKind::last_value && end - begin > 1) {
      std::set<std::string_view> nodes;
      for (std::size_t i = begin; i < end; ++i) nodes.insert(writes[i].node);
      std::string names;
      for (std::string_view n : nodes) names += (names.empty() ? "" : ", ") + std::string(n);
      throw Error(engine::error::concurrent_update,
                  "state key '" + std::string(key) + "' (last_value) received " + std::to_string(end - begin) +
                      " writes in one step, from " + names +
                      "; give the key a combining channel (append, counter, reducer, ...) or write it from one node");
    }
    if (group.channel->kind == ChannelKind::reducer) {
      const boost::json::value* current = state.if_contains(key);
      boost::json::value value = current ? *current : boost::json::value();
      for (std::size_t i = begin; i < end; ++i) {
        try {
          value = group.channel->reducer(std::move(value), *writes[i].value);
        } catch (const Error&) {
          throw;
        } catch (const std::exception& e) {
          bad_update(writes[i].node, key, std::string("the key's reducer threw: ") + e.what());
        }
      }
      group.reduced = std::move(value);
    }
    groups.push_back(std::move(group));
    begin = end;
  }

  // Phase 2 changes the state in place (no copy of untouched keys or of a growing array).
  for (Group& group : groups) {
    const std::string_view key = writes[group.begin].key;
    switch (group.channel->kind) {
      case ChannelKind::last_value: {
        const boost::json::value& value = *writes[group.begin].value;
        state[key] = value;
        if (deltas) deltas->push_back(ChannelDelta{std::string(key), DeltaOp::replace, value});
        break;
      }
      case ChannelKind::append: {
        boost::json::value& target = state[key];
        if (!target.is_array()) target = boost::json::array();
        const std::size_t before = target.get_array().size();
        for (std::size_t i = group.begin; i < group.end; ++i) append_items(target.get_array(), *writes[i].value);
        if (deltas) {
          boost::json::array added(target.get_array().begin() + static_cast<std::ptrdiff_t>(before),
                                   target.get_array().end());
          deltas->push_back(ChannelDelta{std::string(key), DeltaOp::append, std::move(added)});
        }
        break;
      }
      case ChannelKind::messages: {
        ChannelDelta delta{std::string(key), DeltaOp::merge_messages, boost::json::array()};
        for (std::size_t i = group.begin; i < group.end; ++i) append_items(delta.value.get_array(), *writes[i].value);
        boost::json::value& target = state[key];
        if (!target.is_array()) target = boost::json::array();
        if (folder) {
          folder->apply(state, delta);
        } else {
          apply_delta(state, delta);
        }
        if (deltas) deltas->push_back(std::move(delta));
        break;
      }
      case ChannelKind::counter: {
        boost::json::value& target = state[key];
        if (target.is_null()) target = std::int64_t(0);
        for (std::size_t i = group.begin; i < group.end; ++i) target = add_numbers(target, *writes[i].value);
        if (deltas) deltas->push_back(ChannelDelta{std::string(key), DeltaOp::replace, target});
        break;
      }
      case ChannelKind::object_merge: {
        boost::json::object patch;
        for (std::size_t i = group.begin; i < group.end; ++i) {
          for (const auto& [k, v] : writes[i].value->get_object()) patch[k] = v;
        }
        boost::json::value& target = state[key];
        if (!target.is_object()) target = boost::json::object();
        for (const auto& [k, v] : patch) target.get_object()[k] = v;
        if (deltas) deltas->push_back(ChannelDelta{std::string(key), DeltaOp::merge_object, std::move(patch)});
        break;
      }
      case ChannelKind::reducer:
        state[key] = group.reduced;
        if (deltas) deltas->push_back(ChannelDelta{std::string(key), DeltaOp::replace, std::move(group.reduced)});
        break;
    }
  }
}

}  // namespace weft::detail
