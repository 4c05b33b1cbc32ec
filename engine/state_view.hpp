// SPDX-License-Identifier: MIT
#pragma once
// StateView: a cheap, read-only handle over the state a node or router sees.
//
// Nodes of one superstep share one immutable snapshot of the state (a shared_ptr; nothing is
// deep-copied per node). A router additionally sees its own task's writes, held in an overlay of
// only the keys that task touched, each folded onto the snapshot the first time it is read (so a
// router reading a counter does not pay for copying a long message list the task appended to).

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <memory>
#include <string_view>

namespace weft {

class StateView;

namespace detail {
class ViewOverlay;  // engine/detail/view_overlay.hpp
StateView overlaid_view(std::shared_ptr<const boost::json::object> snapshot,
                        std::shared_ptr<const ViewOverlay> overlay) noexcept;
}  // namespace detail

class StateView {
 public:
  /// An empty state.
  StateView();
  /// A view of `snapshot`, optionally with `overlay` keys taking precedence.
  explicit StateView(std::shared_ptr<const boost::json::object> snapshot,
                     std::shared_ptr<const boost::json::object> overlay = nullptr);

  /// The value of `key`, or nullptr when the key is absent. The pointer stays valid as long as
  /// this view (or a copy of it) lives.
  const boost::json::value* find(std::string_view key) const noexcept;
  /// The value of `key`; throws weft::Error (engine::error::missing_key) naming the key if absent.
  const boost::json::value& at(std::string_view key) const;
  /// A copy of the value of `key`, or null when absent.
  boost::json::value get(std::string_view key) const;
  bool contains(std::string_view key) const noexcept { return find(key) != nullptr; }

  /// Convenience typed reads; each returns `fallback` when the key is absent or of another type.
  std::int64_t get_int(std::string_view key, std::int64_t fallback = 0) const noexcept;
  std::string_view get_string(std::string_view key, std::string_view fallback = {}) const noexcept;

  /// The whole visible state as one object (a copy; overlay applied). Prefer find() in hot code.
  boost::json::object to_object() const;
  /// The shared snapshot without the overlay (no copy).
  const boost::json::object& snapshot() const noexcept { return *snapshot_; }

 private:
  friend StateView detail::overlaid_view(std::shared_ptr<const boost::json::object>,
                                         std::shared_ptr<const detail::ViewOverlay>) noexcept;

  std::shared_ptr<const boost::json::object> snapshot_;
  std::shared_ptr<const detail::ViewOverlay> overlay_;
};

}  // namespace weft
