# SPDX-License-Identifier: MIT
# Used at install time (install(CODE) in WeftHelpers.cmake).
#
# weft_install_headers(<source dir> <headers> <stage dir> <destination>)
# Installs each public header (a path relative to <source dir>) below <destination> (relative to
# the install prefix), keeping its relative path. Inside the tree, headers include each other by
# module path ("engine/checkpoint.hpp", the repository root being on the path); installed, only
# include/ is on a user's path, so those includes are rewritten to "weft/engine/checkpoint.hpp".
# A public header that includes a detail/ header is an error: detail/ is not installed.
function(weft_install_headers source_dir headers stage_dir destination)
  foreach(header IN LISTS headers)
    file(READ "${source_dir}/${header}" text)
    if(text MATCHES "#include \"((engine|store|nodes|graphs|testing|server|cli)/([a-z_]+/)*detail/[^\"]*)\"")
      message(FATAL_ERROR "public header ${source_dir}/${header} includes the private header ${CMAKE_MATCH_1}; "
                          "move what it needs into a public header")
    endif()
    string(REGEX REPLACE "#include \"(engine|store|nodes|graphs|testing|server|cli)/" "#include \"weft/\\1/" text "${text}")
    get_filename_component(subdir "${header}" DIRECTORY)
    set(staged "${stage_dir}/${header}")
    set(old "")
    if(EXISTS "${staged}")
      file(READ "${staged}" old)
    endif()
    if(NOT old STREQUAL text)  # keep the staged file's time when nothing changed
      file(WRITE "${staged}" "${text}")
    endif()
    file(INSTALL DESTINATION "${CMAKE_INSTALL_PREFIX}/${destination}/${subdir}" TYPE FILE FILES "${staged}")
  endforeach()
endfunction()
