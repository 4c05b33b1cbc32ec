// SPDX-License-Identifier: MIT
#pragma once
// Rendering of the catalog's JSON templates ("{var}" placeholders) and the small named functions
// route steps use. Private to nodes/crisp.

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace weft::crisp::detail {

/// True when `vars` has `name` and it is not null.
bool has_var(const boost::json::object& vars, std::string_view name);

/// Renders `tmpl`: a string that is exactly "{name}" becomes vars[name] (any JSON type) or is
/// absent when unset; objects drop absent members; arrays drop absent items; other values are
/// copied. Returns nullopt when the whole template is absent.
std::optional<boost::json::value> render(const boost::json::value& tmpl, const boost::json::object& vars);

/// The member at a dotted path ("details.user_id") of `data`, or nullptr.
const boost::json::value* field_of(const boost::json::value& data, std::string_view dotted);

/// "folder/how-to-install-the-widget.md" from an optional folder and a title: lower-case ASCII
/// letters and digits, other runs become '-', at most 80 characters, "article" when empty.
std::string slug_path(std::string_view folder, std::string_view title);

/// A tree listing (entries with slug and nested children) as a flat array of
/// {tree_path, type, title, state}, parents before children.
boost::json::array flatten_tree(const boost::json::value& data);

}  // namespace weft::crisp::detail
