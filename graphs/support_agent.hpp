// SPDX-License-Identifier: MIT
#pragma once
// The built-in graph 'support_agent' (design: graphs/README.md).

#include "graphs/registry.hpp"

namespace weft::graphs {

/// Its registry entry: name, description, input schema and builder.
GraphDefinition support_agent_definition();

}  // namespace weft::graphs
