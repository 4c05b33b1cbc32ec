// SPDX-License-Identifier: MIT
#pragma once
// ToolRegistry: the tools a graph may call, by name, and their export for a model.

#include "nodes/tools/tool.hpp"

#include <boost/json/array.hpp>

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace weft {

/// An ordered set of tools with unique names. Cheap to copy (tools are handles).
/// Thread safety: add() needs exclusive access; const members may run concurrently.
class ToolRegistry {
 public:
  ToolRegistry() = default;
  ToolRegistry(std::initializer_list<Tool> tools);

  /// Adds `tool`. Throws weft::Error(tools::error::invalid_tool) if its name is taken.
  ToolRegistry& add(Tool tool);

  /// The tool named `name`, or nullptr. The pointer lives as long as this registry is unchanged.
  const Tool* find(std::string_view name) const noexcept;

  /// The tool named `name`; throws weft::Error(tools::error::unknown_tool) whose message lists
  /// the available tools.
  const Tool& at(std::string_view name) const;

  /// The view a graph exposes: a registry of only the tools named in `allowed`, in this
  /// registry's order. A name that is not here throws weft::Error(tools::error::unknown_tool)
  /// (a misspelt allow-list is a bug, not an empty permission). Tools outside the view are
  /// unknown to it: find() returns nullptr, at() throws, to_openai() omits them.
  ToolRegistry allow(const std::vector<std::string>& allowed) const;

  /// Tool names in registration order.
  std::vector<std::string> names() const;
  const std::vector<Tool>& tools() const noexcept { return tools_; }
  std::size_t size() const noexcept { return tools_.size(); }
  bool empty() const noexcept { return tools_.empty(); }

  /// [{"type":"function","function":{"name","description","parameters"}}, ...] in registration
  /// order: the `tools` field of an OpenAI Chat Completions request.
  boost::json::array to_openai() const;

  /// Message for an unknown `name`: "unknown tool 'x'; available tools: a, b".
  std::string unknown_tool_message(std::string_view name) const;

 private:
  std::vector<Tool> tools_;
};

}  // namespace weft
