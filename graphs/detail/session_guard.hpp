// SPDX-License-Identifier: MIT
#pragma once
// A tool view whose writes are pinned to one conversation. live_reply answers the conversation
// its input names and no other; the prompt says so too, but a prompt is a request to the model,
// not a guarantee, so the guarantee is here, in the tool layer, under every write the graph makes.

#include "nodes/tools/tool_registry.hpp"

#include <string>

namespace weft::graphs::detail {

/// A copy of `tools` in which every side-effecting tool refuses a call whose `session_id`
/// argument is absent or not `session_id`: the call throws weft::Error(graphs::error::write_refused)
/// "refused: <tool> may write only in conversation <session_id>, not in <other>" before any
/// request, so the tool layer reports it as a failed call (graphs' call_tool: error::tool_failed)
/// and nothing reaches Crisp. Read tools are unchanged. Pure; the view is as thread-safe as `tools`.
ToolRegistry pin_writes_to_session(const ToolRegistry& tools, const std::string& session_id);

}  // namespace weft::graphs::detail
