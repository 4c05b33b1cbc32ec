# nodes/model: the ChatModel interface and its implementations (OpenAI-compatible, scripted, offline).
list(APPEND WEFT_NODES_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/error.cpp
  ${CMAKE_CURRENT_LIST_DIR}/chat_model.cpp
)
