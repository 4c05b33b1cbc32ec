// SPDX-License-Identifier: MIT
#pragma once
// What a StateView shows on top of its snapshot (engine/state_view.hpp).
//
// A router sees the state with its own task's writes folded in. Folding eagerly would copy every
// key the task wrote, whole, at every step: with a growing append/messages channel, each step
// would cost O(state) even when the router only reads a counter. LocalWritesOverlay folds a key
// only when the view is asked for it, once, and keeps the result for the view's lifetime.

#include "engine/channel.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weft::detail {

class ViewOverlay {
 public:
  virtual ~ViewOverlay() = default;
  /// Whether the overlay covers `key` (then find() is its value, nullptr meaning absent).
  virtual bool covers(std::string_view key) const noexcept = 0;
  /// The overlaid value of a covered key. Pointers stay valid for the overlay's lifetime.
  virtual const boost::json::value* find(std::string_view key) const noexcept = 0;
  /// Writes every covered key into `state`.
  virtual void apply_to(boost::json::object& state) const = 0;
};

/// A fixed object of values taking precedence over the snapshot.
class ObjectOverlay final : public ViewOverlay {
 public:
  explicit ObjectOverlay(std::shared_ptr<const boost::json::object> values) noexcept : values_(std::move(values)) {}
  bool covers(std::string_view key) const noexcept override { return values_->contains(key); }
  const boost::json::value* find(std::string_view key) const noexcept override { return values_->if_contains(key); }
  void apply_to(boost::json::object& state) const override;

 private:
  std::shared_ptr<const boost::json::object> values_;
};

/// One task's writes over the snapshot they were computed from, folded per key on first read.
/// Keys with a user reducer are folded at construction, so a throwing reducer fails the task (as
/// the barrier would) instead of a read; the built-in channels' folds cannot fail but for memory.
/// Safe to read from several threads.
class LocalWritesOverlay final : public ViewOverlay {
 public:
  /// `update` is a normalized task update; keys not in `schema` are ignored.
  LocalWritesOverlay(const Schema& schema, std::shared_ptr<const boost::json::object> snapshot,
                     const boost::json::object& update);
  bool covers(std::string_view key) const noexcept override;
  const boost::json::value* find(std::string_view key) const noexcept override;
  void apply_to(boost::json::object& state) const override;

 private:
  struct Slot {
    std::string key;
    Channel channel;
    boost::json::value write;
    mutable std::once_flag once;
    mutable boost::json::value folded;
  };
  const Slot* slot(std::string_view key) const noexcept;
  const boost::json::value& folded(const Slot& slot) const noexcept;

  std::shared_ptr<const boost::json::object> snapshot_;
  std::vector<std::unique_ptr<Slot>> slots_;  // few keys: a linear search beats a map
};

}  // namespace weft::detail
