# SPDX-License-Identifier: MIT
# nodes/crisp: the Crisp REST client, the tool catalog (catalog.json, compiled in) and the tools.
set(_weft_crisp_dir ${CMAKE_CURRENT_LIST_DIR})
set(_weft_crisp_catalog_cpp ${CMAKE_CURRENT_BINARY_DIR}/crisp_catalog_data.cpp)
add_custom_command(
  OUTPUT ${_weft_crisp_catalog_cpp}
  COMMAND ${CMAKE_COMMAND} -DINPUT=${_weft_crisp_dir}/catalog.json -DOUTPUT=${_weft_crisp_catalog_cpp}
          -P ${_weft_crisp_dir}/embed_catalog.cmake
  DEPENDS ${_weft_crisp_dir}/catalog.json ${_weft_crisp_dir}/embed_catalog.cmake
  COMMENT "Embedding the Crisp tool catalog"
  VERBATIM)
list(APPEND WEFT_NODES_SOURCES
  ${_weft_crisp_dir}/error.cpp
  ${_weft_crisp_dir}/config.cpp
  ${_weft_crisp_dir}/client.cpp
  ${_weft_crisp_dir}/catalog.cpp
  ${_weft_crisp_dir}/detail/path_template.cpp
  ${_weft_crisp_dir}/detail/arguments.cpp
  ${_weft_crisp_dir}/detail/templates.cpp
  ${_weft_crisp_dir}/detail/write_checks.cpp
  ${_weft_crisp_dir}/detail/write_once.cpp
  ${_weft_crisp_dir}/fingerprint.cpp
  ${_weft_crisp_dir}/tools.cpp
  ${_weft_crisp_dir}/register.cpp
  ${_weft_crisp_catalog_cpp})
# The catalog is also installed as data, for tools that read it (weft tools --format openai).
install(FILES ${_weft_crisp_dir}/catalog.json DESTINATION ${CMAKE_INSTALL_DATADIR}/weft/crisp)
