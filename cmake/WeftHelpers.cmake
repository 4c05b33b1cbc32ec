include(GNUInstallDirs)

# weft_add_library(NAME <module> SOURCES ... [PUBLIC_DEPS ...] [PRIVATE_DEPS ...])
# Declares the library weft_<module> with alias weft::<module>, its include root (the repository
# root in the build tree; include/weft and include in the install tree), and installs its public
# headers (<module>/*.hpp and <module>/detail/*.hpp, the latter only because templates need them).
function(weft_add_library)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  set(target weft_${ARG_NAME})
  add_library(${target} ${ARG_SOURCES})
  add_library(weft::${ARG_NAME} ALIAS ${target})
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${ARG_NAME} OUTPUT_NAME weft_${ARG_NAME}
                                             POSITION_INDEPENDENT_CODE ON)
  target_compile_features(${target} PUBLIC cxx_std_20)
  target_include_directories(${target} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/weft>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  target_link_libraries(${target} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_PRIVATE_DEPS} $<BUILD_INTERFACE:weft_warnings>)
  install(TARGETS ${target} EXPORT weftTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
  # Every header below the module folder, keeping its relative path (nodes/crisp/client.hpp ->
  # include/weft/nodes/crisp/client.hpp). detail/ headers ship only because templates need them.
  file(GLOB_RECURSE headers RELATIVE "${CMAKE_CURRENT_SOURCE_DIR}" CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/*.hpp")
  foreach(header IN LISTS headers)
    get_filename_component(header_dir "${header}" DIRECTORY)
    install(FILES "${CMAKE_CURRENT_SOURCE_DIR}/${header}"
            DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/weft/${ARG_NAME}/${header_dir}")
  endforeach()
endfunction()
