# SPDX-License-Identifier: MIT
# nodes/http: the HTTP/1.1 client (Beast + OpenSSL inside, never in public headers).
list(APPEND WEFT_NODES_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/error.cpp
  ${CMAKE_CURRENT_LIST_DIR}/message.cpp
  ${CMAKE_CURRENT_LIST_DIR}/redact.cpp
  ${CMAKE_CURRENT_LIST_DIR}/rate_limit_headers.cpp
  ${CMAKE_CURRENT_LIST_DIR}/rate_limit_event.cpp
  ${CMAKE_CURRENT_LIST_DIR}/proxy.cpp
  ${CMAKE_CURRENT_LIST_DIR}/client.cpp
  ${CMAKE_CURRENT_LIST_DIR}/detail/url.cpp
  ${CMAKE_CURRENT_LIST_DIR}/detail/semaphore.cpp
  ${CMAKE_CURRENT_LIST_DIR}/detail/host_state.cpp
  ${CMAKE_CURRENT_LIST_DIR}/detail/connection.cpp
  ${CMAKE_CURRENT_LIST_DIR}/detail/client_impl.cpp
  ${CMAKE_CURRENT_LIST_DIR}/detail/retry_policy.cpp
  ${CMAKE_CURRENT_LIST_DIR}/detail/request_loop.cpp
)
