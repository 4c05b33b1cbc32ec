// SPDX-License-Identifier: MIT
#include "nodes/tools/tool_registry.hpp"

#include "nodes/tools/error.hpp"

#include <algorithm>

namespace weft {

ToolRegistry::ToolRegistry(std::initializer_list<Tool> tools) {
  for (const Tool& tool : tools) add(tool);
}

ToolRegistry& ToolRegistry::add(Tool tool) {
  if (find(tool.name()) != nullptr)
    throw Error(tools::error::invalid_tool, "a tool named '" + tool.name() + "' is already registered");
  tools_.push_back(std::move(tool));
  return *this;
}

const Tool* ToolRegistry::find(std::string_view name) const noexcept {
  // Registries hold tens of tools: a scan beats a map's allocations and keeps the order.
  const auto found = std::find_if(tools_.begin(), tools_.end(), [&](const Tool& t) { return t.name() == name; });
  return found == tools_.end() ? nullptr : &*found;
}

const Tool& ToolRegistry::at(std::string_view name) const {
  const Tool* tool = find(name);
  if (tool == nullptr) throw Error(tools::error::unknown_tool, unknown_tool_message(name));
  return *tool;
}

ToolRegistry ToolRegistry::allow(const std::vector<std::string>& allowed) const {
  for (const std::string& name : allowed)
    if (find(name) == nullptr)
      throw Error(tools::error::unknown_tool, "allow-list names " + unknown_tool_message(name));
  ToolRegistry view;
  for (const Tool& tool : tools_)
    if (std::find(allowed.begin(), allowed.end(), tool.name()) != allowed.end()) view.tools_.push_back(tool);
  return view;
}

std::vector<std::string> ToolRegistry::names() const {
  std::vector<std::string> out;
  out.reserve(tools_.size());
  for (const Tool& tool : tools_) out.push_back(tool.name());
  return out;
}

boost::json::array ToolRegistry::to_openai() const {
  boost::json::array out;
  out.reserve(tools_.size());
  for (const Tool& tool : tools_) out.push_back(tool.to_openai());
  return out;
}

std::string ToolRegistry::unknown_tool_message(std::string_view name) const {
  std::string out = "unknown tool '" + std::string(name) + "'; available tools: ";
  if (tools_.empty()) return out + "(none)";
  for (std::size_t i = 0; i < tools_.size(); ++i) out += (i > 0 ? ", " : "") + tools_[i].name();
  return out;
}

}  // namespace weft
