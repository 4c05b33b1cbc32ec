# SPDX-License-Identifier: MIT
# nodes/model: the ChatModel interface and its implementations (OpenAI-compatible, scripted, offline).
list(APPEND WEFT_NODES_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/error.cpp
  ${CMAKE_CURRENT_LIST_DIR}/chat_model.cpp
  ${CMAKE_CURRENT_LIST_DIR}/openai_chat_model.cpp
  ${CMAKE_CURRENT_LIST_DIR}/scripted_chat_model.cpp
  ${CMAKE_CURRENT_LIST_DIR}/offline_model.cpp
  ${CMAKE_CURRENT_LIST_DIR}/detail/sse.cpp
  ${CMAKE_CURRENT_LIST_DIR}/detail/stream_assembler.cpp
  ${CMAKE_CURRENT_LIST_DIR}/detail/wire.cpp
  ${CMAKE_CURRENT_LIST_DIR}/detail/openai_wire.cpp
  ${CMAKE_CURRENT_LIST_DIR}/detail/offline_text.cpp
  ${CMAKE_CURRENT_LIST_DIR}/detail/offline_classify.cpp
  ${CMAKE_CURRENT_LIST_DIR}/detail/offline_tasks.cpp
)
