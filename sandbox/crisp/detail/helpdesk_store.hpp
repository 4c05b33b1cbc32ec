// SPDX-License-Identifier: MIT
#pragma once
// The one store of helpdesk entries both route families read and write (crisp-api.md §8.7):
// each entry has locale, content type, tree path, kind (file|folder), the legacy article_id
// (= entry_id = entity_id), title, description, Markdown body, published, hidden, featured,
// order, visits and timestamps.

#include <optional>
#include <string>
#include <string_view>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "sandbox/crisp/detail/route_context.hpp"

namespace weft::sandbox::crisp::detail {

boost::json::object& helpdesk(Ctx& ctx);
boost::json::array& entries(Ctx& ctx);
// The locale object; invalid code -> invalid_data, unknown -> not_found.
boost::json::object& locale_of(Ctx& ctx, std::string_view locale);
// Entry by (locale, content type, path), or nullptr.
boost::json::object* find_entry_by_path(Ctx& ctx, std::string_view locale, std::string_view type,
                                        std::string_view path);
// File entry by id within a locale, or nullptr.
boost::json::object* find_entry_by_id(Ctx& ctx, std::string_view locale, std::string_view id);
// Public URL of an entry: <helpdesk url>/<locale>/<content type singular>/<slug>/
std::string entry_url(Ctx& ctx, const boost::json::object& entry);
// Creates an entry (and missing parent folders) and returns it.
boost::json::object& create_entry(Ctx& ctx, std::string_view locale, std::string_view type, std::string_view path,
                                  std::string_view kind, std::string_view title);
// Appends one history change describing a write to `entry` (sandbox: one change per write).
void record_change(Ctx& ctx, const boost::json::object& entry, std::string_view change, std::string_view message);
// Legacy article shape (§2.12) of a file entry.
boost::json::object article_json(Ctx& ctx, const boost::json::object& entry);
// Tree metadata shape (§8.3.1) of an entry.
boost::json::object metadata_json(const boost::json::object& entry);
// Whether entry `a` comes before entry `b` in their folder (by "order"); for std::stable_sort.
bool in_entry_order(const boost::json::object* a, const boost::json::object* b);
// True for a locale code like "en", "fr", "pt-br".
bool valid_locale(std::string_view locale);

}  // namespace weft::sandbox::crisp::detail
