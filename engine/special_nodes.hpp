// SPDX-License-Identifier: MIT
#pragma once
// The two virtual nodes every graph has: START (where input enters) and END (where a path stops).

#include <string_view>

namespace weft {

/// Source of a graph's entry edges: add_edge(START, "first").
inline constexpr std::string_view START = "__start__";
/// Target that ends a path: add_edge("last", END). A route or goto to END schedules nothing.
inline constexpr std::string_view END = "__end__";

}  // namespace weft
