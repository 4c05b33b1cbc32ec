// SPDX-License-Identifier: MIT
#pragma once
// The part of a built-in graph's GraphDefinition that is the same for all of them: name and
// description as given, the input schema parsed from the graph's JSON literal, and its build.

#include "graphs/registry.hpp"

#include <string>
#include <string_view>

namespace weft::graphs::detail {

/// A GraphDefinition named `name` with `description`, the input schema parsed from
/// `input_schema` (a JSON Schema object, as a string literal in the graph's file) and `build`.
/// Throws boost::system::system_error when `input_schema` is not JSON and std::invalid_argument
/// when it is not an object: a programming error in the graph, caught by the graphs tests.
/// Thread safety: none needed (no shared state).
GraphDefinition make_definition(std::string name, std::string description, std::string_view input_schema,
                                decltype(GraphDefinition::build) build);

}  // namespace weft::graphs::detail
