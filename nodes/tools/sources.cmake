# SPDX-License-Identifier: MIT
# The tool layer: JSON Schema validation, tools, the registry, and the agent nodes.
list(APPEND WEFT_NODES_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/error.cpp
  ${CMAKE_CURRENT_LIST_DIR}/formats.cpp
  ${CMAKE_CURRENT_LIST_DIR}/detail/ecma_regex.cpp
  ${CMAKE_CURRENT_LIST_DIR}/schema_compile.cpp
  ${CMAKE_CURRENT_LIST_DIR}/schema_validate.cpp
  ${CMAKE_CURRENT_LIST_DIR}/detail/json_compare.cpp
  ${CMAKE_CURRENT_LIST_DIR}/tool.cpp
  ${CMAKE_CURRENT_LIST_DIR}/tool_registry.cpp
  ${CMAKE_CURRENT_LIST_DIR}/tool_limits.cpp
  ${CMAKE_CURRENT_LIST_DIR}/tool_node.cpp
  ${CMAKE_CURRENT_LIST_DIR}/tools_condition.cpp
  ${CMAKE_CURRENT_LIST_DIR}/llm_node.cpp
  ${CMAKE_CURRENT_LIST_DIR}/react_agent.cpp
)
