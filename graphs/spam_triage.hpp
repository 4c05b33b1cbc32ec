// SPDX-License-Identifier: MIT
#pragma once
// The built-in graph 'spam_triage' (design: graphs/README.md).

#include "graphs/registry.hpp"

namespace weft::graphs {

/// Its registry entry: name, description, input schema and builder.
GraphDefinition spam_triage_definition();

}  // namespace weft::graphs
