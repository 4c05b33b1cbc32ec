// SPDX-License-Identifier: MIT
#pragma once
// The built-in graph 'live_reply' (design: graphs/README.md).

#include "graphs/registry.hpp"

namespace weft::graphs {

/// Its registry entry: name, description, input schema and builder.
GraphDefinition live_reply_definition();

}  // namespace weft::graphs
