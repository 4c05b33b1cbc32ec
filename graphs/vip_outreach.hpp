// SPDX-License-Identifier: MIT
#pragma once
// The built-in graph 'vip_outreach' (design: graphs/README.md).

#include "graphs/registry.hpp"

namespace weft::graphs {

/// Its registry entry: name, description, input schema and builder.
GraphDefinition vip_outreach_definition();

}  // namespace weft::graphs
