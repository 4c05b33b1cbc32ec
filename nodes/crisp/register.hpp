// SPDX-License-Identifier: MIT
#pragma once
// The catalog's tools as weft::Tool values (nodes/tools/), ready for a ToolRegistry, its
// allow-list views and the OpenAI function export.

#include "nodes/crisp/tools.hpp"
#include "nodes/tools/tool.hpp"
#include "nodes/tools/tool_registry.hpp"

#include <memory>
#include <vector>

namespace weft::crisp {

/// One weft::Tool per catalog entry of `tools`, in catalog order. Read tools are
/// ToolEffects::none; write tools are ToolEffects::self_journaled: they journal their own effect
/// with the ToolContext's journal, thread and effect key (fingerprints, in-doubt checks).
/// The parameters are the entry's model-facing schema with vendor keywords (x-...) removed and
/// id patterns left to CrispTools (whose rejection says where a valid id comes from).
/// `tools` is shared by the returned tools. Throws what weft::Tool throws for a bad definition.
std::vector<Tool> make_tools(std::shared_ptr<CrispTools> tools);

/// Adds make_tools(tools) to `registry`. Throws weft::Error(tools::error::invalid_tool) on a
/// name clash with a tool already there.
void register_tools(ToolRegistry& registry, std::shared_ptr<CrispTools> tools);

}  // namespace weft::crisp
