// SPDX-License-Identifier: MIT
#include "engine/state_view.hpp"

#include "engine/detail/view_overlay.hpp"
#include "engine/error.hpp"

#include <string>

namespace weft {
namespace {

const std::shared_ptr<const boost::json::object>& empty_state() {
  static const auto empty = std::make_shared<const boost::json::object>();
  return empty;
}

}  // namespace

StateView::StateView() : snapshot_(empty_state()) {}

StateView::StateView(std::shared_ptr<const boost::json::object> snapshot,
                     std::shared_ptr<const boost::json::object> overlay)
    : snapshot_(snapshot ? std::move(snapshot) : empty_state()) {
  if (overlay) overlay_ = std::make_shared<const detail::ObjectOverlay>(std::move(overlay));
}

const boost::json::value* StateView::find(std::string_view key) const noexcept {
  if (overlay_ && overlay_->covers(key)) return overlay_->find(key);
  return snapshot_->if_contains(key);
}

const boost::json::value& StateView::at(std::string_view key) const {
  if (const boost::json::value* v = find(key)) return *v;
  throw Error(engine::error::missing_key,
              "state key '" + std::string(key) + "' is absent; check the node that should write it ran first");
}

boost::json::value StateView::get(std::string_view key) const {
  const boost::json::value* v = find(key);
  return v ? *v : boost::json::value();
}

std::int64_t StateView::get_int(std::string_view key, std::int64_t fallback) const noexcept {
  const boost::json::value* v = find(key);
  if (!v) return fallback;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->get_uint64());
  return fallback;
}

std::string_view StateView::get_string(std::string_view key, std::string_view fallback) const noexcept {
  const boost::json::value* v = find(key);
  return v && v->is_string() ? std::string_view(v->get_string()) : fallback;
}

boost::json::object StateView::to_object() const {
  boost::json::object out = *snapshot_;
  if (overlay_) overlay_->apply_to(out);
  return out;
}

namespace detail {

StateView overlaid_view(std::shared_ptr<const boost::json::object> snapshot,
                        std::shared_ptr<const ViewOverlay> overlay) noexcept {
  StateView view;
  if (snapshot) view.snapshot_ = std::move(snapshot);
  view.overlay_ = std::move(overlay);
  return view;
}

}  // namespace detail

}  // namespace weft
