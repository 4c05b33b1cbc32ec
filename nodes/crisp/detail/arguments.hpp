// SPDX-License-Identifier: MIT
#pragma once
// Checks a tool call's arguments against its catalog entry before any request, and splits them
// into path variables, query and body. Private to nodes/crisp.

#include "nodes/crisp/catalog.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <string>

namespace weft::crisp::detail {

struct PreparedArguments {
  boost::json::object vars;   ///< every argument (after defaults) plus website_id: for templates
  boost::json::object query;  ///< the query-section arguments
  boost::json::object body;   ///< the body-section arguments
  bool has_body = false;      ///< the entry declares a body schema
};

/// Validates `args` for `entry` and the binding's `website_id`. Throws
/// weft::Error(crisp::error::invalid_argument) listing every problem found, each saying what is
/// wrong, where, and where a valid value comes from. Pure: sends nothing.
PreparedArguments prepare_arguments(const Catalog& catalog, const CatalogEntry& entry, const boost::json::value& args,
                                    const std::string& website_id);

/// The message for one id that is not of its kind, e.g. "session_id 'abc' is not a Crisp
/// session_id (expected the form session_700c…); get one from ...".
std::string bad_id_message(const IdKind& kind, const std::string& where, const boost::json::value& value);

}  // namespace weft::crisp::detail
