// SPDX-License-Identifier: MIT
#include "engine/detail/view_overlay.hpp"

#include "engine/detail/channels.hpp"

namespace weft::detail {

void ObjectOverlay::apply_to(boost::json::object& state) const {
  for (const auto& [key, value] : *values_) state[key] = value;
}

LocalWritesOverlay::LocalWritesOverlay(const Schema& schema, std::shared_ptr<const boost::json::object> snapshot,
                                       const boost::json::object& update)
    : snapshot_(std::move(snapshot)) {
  slots_.reserve(update.size());
  for (const auto& [key, value] : update) {
    auto channel = schema.find(std::string_view(key));
    if (channel == schema.end()) continue;
    auto slot = std::make_unique<Slot>();
    slot->key = std::string(key);
    slot->channel = channel->second;
    slot->write = value;
    if (slot->channel.kind == ChannelKind::reducer) {
      // Fold now: a user reducer may throw, and that must fail the task, not a noexcept read.
      slot->folded = fold_local(slot->channel, snapshot_->if_contains(key), {&slot->write});
      std::call_once(slot->once, [] {});
    }
    slots_.push_back(std::move(slot));
  }
}

const LocalWritesOverlay::Slot* LocalWritesOverlay::slot(std::string_view key) const noexcept {
  for (const auto& s : slots_)
    if (s->key == key) return s.get();
  return nullptr;
}

bool LocalWritesOverlay::covers(std::string_view key) const noexcept { return slot(key) != nullptr; }

const boost::json::value& LocalWritesOverlay::folded(const Slot& s) const noexcept {
  // A last_value key shows the write itself: nothing to fold or copy.
  if (s.channel.kind == ChannelKind::last_value) return s.write;
  std::call_once(s.once, [&] { s.folded = fold_local(s.channel, snapshot_->if_contains(s.key), {&s.write}); });
  return s.folded;
}

const boost::json::value* LocalWritesOverlay::find(std::string_view key) const noexcept {
  const Slot* s = slot(key);
  return s ? &folded(*s) : nullptr;
}

void LocalWritesOverlay::apply_to(boost::json::object& state) const {
  for (const auto& s : slots_) state[s->key] = folded(*s);
}

}  // namespace weft::detail
