// SPDX-License-Identifier: MIT
#pragma once
// The built-in graph 'kb_enrichment' (design: graphs/README.md).

#include "graphs/registry.hpp"

namespace weft::graphs {

/// Its registry entry: name, description, input schema and builder.
GraphDefinition kb_enrichment_definition();

}  // namespace weft::graphs
