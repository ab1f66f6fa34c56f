# `cmake --install` for strata as a library: headers, the static libraries, a CMake package
# (find_package(strata CONFIG) -> strata::strata, strata_embed_migrations()) and strata.pc.
# Included at the end of src/CMakeLists.txt, once every module target exists. See docs/library.md.
#
# `strata` links its modules PRIVATE; for static libraries CMake still has to link them into the
# application, so every module is installed and exported too (as strata::strata_<module>), and the
# package config finds the third-party packages they use. The modules are found by walking the
# link graph from `strata`, so a new module or driver needs no change here. Targets that `strata`
# does not reach but that should be installed anyway can be appended to STRATA_INSTALL_TARGETS
# before this file is included.
include_guard(GLOBAL)
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(STRATA_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/strata")

# The third-party imported targets the package config knows how to recreate. Any other imported
# target in the link graph is reported below, because an application could not link without it.
set(_strata_known_imported
  Threads::Threads SQLite::SQLite3 fmt::fmt PostgreSQL::PostgreSQL)

# Depth-first walk of the link graph from `tgt`: appends our own targets to _strata_walk_order in
# post-order (a target after everything it links), imported targets to _strata_walk_imported and
# plain library names or flags to _strata_walk_plain.
function(_strata_walk tgt)
  list(APPEND _strata_walk_seen ${tgt})
  get_target_property(type ${tgt} TYPE)
  set(props INTERFACE_LINK_LIBRARIES)
  if(NOT type STREQUAL "INTERFACE_LIBRARY")
    list(APPEND props LINK_LIBRARIES)
  endif()
  foreach(prop IN LISTS props)
    get_target_property(libs ${tgt} ${prop})
    if(NOT libs)
      continue()
    endif()
    foreach(lib IN LISTS libs)
      if(lib MATCHES "^\\$<LINK_ONLY:([^>]*)>$")
        set(lib "${CMAKE_MATCH_1}")
      endif()
      if(lib MATCHES "^::@" OR lib STREQUAL "")  # directory markers of out-of-directory links
        continue()
      endif()
      if(NOT TARGET "${lib}")
        if(lib MATCHES "\\$<")
          message(WARNING "strata install: ${tgt} links '${lib}'; generator expressions are not followed, "
                          "so strata.pc may miss a library")
        else()
          list(APPEND _strata_walk_plain "${lib}")
        endif()
        continue()
      endif()
      get_target_property(aliased "${lib}" ALIASED_TARGET)
      if(aliased)
        set(lib "${aliased}")
      endif()
      get_target_property(imported "${lib}" IMPORTED)
      if(imported)
        list(APPEND _strata_walk_imported "${lib}")
      elseif(NOT lib IN_LIST _strata_walk_seen)
        _strata_walk("${lib}")
      endif()
    endforeach()
  endforeach()
  list(APPEND _strata_walk_order ${tgt})
  foreach(var _strata_walk_seen _strata_walk_order _strata_walk_imported _strata_walk_plain)
    set(${var} "${${var}}" PARENT_SCOPE)
  endforeach()
endfunction()

set(_strata_walk_seen "")
set(_strata_walk_order "")
set(_strata_walk_imported "")
set(_strata_walk_plain "")
_strata_walk(strata)
list(REMOVE_DUPLICATES _strata_walk_imported)
list(REMOVE_DUPLICATES _strata_walk_plain)

list(APPEND STRATA_INSTALL_TARGETS ${_strata_walk_order})
list(REMOVE_DUPLICATES STRATA_INSTALL_TARGETS)

foreach(imported IN LISTS _strata_walk_imported)
  if(NOT imported IN_LIST _strata_known_imported)
    message(WARNING "strata install: the library links the imported target ${imported}, which "
                    "cmake/strataConfig.cmake.in and the strata.pc logic in cmake/StrataInstall.cmake do not "
                    "know: add a find_dependency() for it there, or applications using the installed "
                    "package will not link")
  endif()
endforeach()
if("PostgreSQL::PostgreSQL" IN_LIST _strata_walk_imported)
  set(STRATA_WITH_POSTGRES ON)
else()
  set(STRATA_WITH_POSTGRES OFF)
endif()

# Include directories given as plain source/build paths (e.g. strata_base's PUBLIC src/) are for
# the build tree only; install(EXPORT) refuses them unless they are marked so.
foreach(tgt IN LISTS STRATA_INSTALL_TARGETS)
  get_target_property(dirs ${tgt} INTERFACE_INCLUDE_DIRECTORIES)
  if(NOT dirs)
    continue()
  endif()
  set(fixed "")
  foreach(d IN LISTS dirs)
    string(FIND "${d}/" "${PROJECT_SOURCE_DIR}/" in_source)
    string(FIND "${d}/" "${PROJECT_BINARY_DIR}/" in_build)
    if(NOT d MATCHES "\\$<" AND (in_source EQUAL 0 OR in_build EQUAL 0))
      set(d "$<BUILD_INTERFACE:${d}>")
    endif()
    list(APPEND fixed "${d}")
  endforeach()
  set_property(TARGET ${tgt} PROPERTY INTERFACE_INCLUDE_DIRECTORIES "${fixed}")
endforeach()

add_library(strata::strata ALIAS strata)
target_include_directories(strata_api INTERFACE $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
target_compile_features(strata_api INTERFACE cxx_std_17)  # what include/strata/*.h need

# A sanitizer build installs instrumented libraries; whatever links them needs the runtime.
get_directory_property(_strata_link_options DIRECTORY ${PROJECT_SOURCE_DIR} LINK_OPTIONS)
set(STRATA_INSTALL_SANITIZER_LINK_FLAGS "")
foreach(opt IN LISTS _strata_link_options)
  if(opt MATCHES "^-fsanitize=")
    list(APPEND STRATA_INSTALL_SANITIZER_LINK_FLAGS "${opt}")
  endif()
endforeach()
if(STRATA_INSTALL_SANITIZER_LINK_FLAGS)
  target_link_options(strata INTERFACE "$<INSTALL_INTERFACE:${STRATA_INSTALL_SANITIZER_LINK_FLAGS}>")
endif()

# ---- headers, libraries, CMake package -----------------------------------------------------------
file(GLOB _strata_public_headers CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/include/strata/*.h")
install(FILES ${_strata_public_headers} "${PROJECT_BINARY_DIR}/generated/strata/version.h"
  DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/strata" COMPONENT strata_dev)

install(TARGETS ${STRATA_INSTALL_TARGETS} EXPORT strataTargets
  ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT strata_dev
  LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT strata_dev
  RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}" COMPONENT strata_dev)
install(EXPORT strataTargets NAMESPACE strata:: DESTINATION "${STRATA_INSTALL_CMAKEDIR}" COMPONENT strata_dev)

configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/strataConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/package/strataConfig.cmake"
  INSTALL_DESTINATION "${STRATA_INSTALL_CMAKEDIR}")
# 0.x: a new minor version may change the API.
write_basic_package_version_file("${PROJECT_BINARY_DIR}/package/strataConfigVersion.cmake"
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES
  "${PROJECT_BINARY_DIR}/package/strataConfig.cmake"
  "${PROJECT_BINARY_DIR}/package/strataConfigVersion.cmake"
  "${PROJECT_SOURCE_DIR}/cmake/StrataEmbed.cmake"
  "${PROJECT_SOURCE_DIR}/cmake/StrataEmbedGenerate.cmake"
  DESTINATION "${STRATA_INSTALL_CMAKEDIR}" COMPONENT strata_dev)

# ---- strata.pc -----------------------------------------------------------------------------------
# The libraries are static, so what they need is in Requires and Libs (not .private): plain
# `pkg-config --libs strata` is enough to link. Libraries are listed dependents first.
set(_strata_pc_requires "")
set(_strata_pc_libs "")
list(REVERSE _strata_walk_order)
foreach(tgt IN LISTS _strata_walk_order)
  get_target_property(type ${tgt} TYPE)
  if(type MATCHES "^(STATIC|SHARED)_LIBRARY$")
    get_target_property(output_name ${tgt} OUTPUT_NAME)
    if(NOT output_name)
      set(output_name ${tgt})
    endif()
    list(APPEND _strata_pc_libs "-l${output_name}")
  endif()
endforeach()
foreach(imported IN LISTS _strata_walk_imported)
  if(imported STREQUAL "SQLite::SQLite3")
    list(APPEND _strata_pc_requires sqlite3)
  elseif(imported STREQUAL "fmt::fmt")
    list(APPEND _strata_pc_requires fmt)
  elseif(imported STREQUAL "PostgreSQL::PostgreSQL")
    list(APPEND _strata_pc_requires libpq)
  elseif(imported STREQUAL "Threads::Threads" AND CMAKE_THREAD_LIBS_INIT)
    list(APPEND _strata_pc_libs ${CMAKE_THREAD_LIBS_INIT})
  endif()
endforeach()
foreach(lib IN LISTS _strata_walk_plain)
  if(lib MATCHES "^-" OR IS_ABSOLUTE "${lib}")
    list(APPEND _strata_pc_libs "${lib}")
  else()
    list(APPEND _strata_pc_libs "-l${lib}")
  endif()
endforeach()
list(APPEND _strata_pc_libs ${STRATA_INSTALL_SANITIZER_LINK_FLAGS})
list(JOIN _strata_pc_requires " " STRATA_PC_REQUIRES)
list(JOIN _strata_pc_libs " " STRATA_PC_LIBS)

# Relocatable: the prefix is found from the .pc file's own place, so `--prefix` at install time works.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(STRATA_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
  set(STRATA_PC_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
  set(_strata_pc_dir "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
else()
  file(RELATIVE_PATH _strata_up "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
  string(REGEX REPLACE "/$" "" _strata_up "${_strata_up}")
  set(STRATA_PC_PREFIX "\${pcfiledir}/${_strata_up}")
  set(STRATA_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
  set(_strata_pc_dir "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(STRATA_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
else()
  set(STRATA_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
configure_file("${PROJECT_SOURCE_DIR}/cmake/strata.pc.in" "${PROJECT_BINARY_DIR}/package/strata.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/package/strata.pc" DESTINATION "${_strata_pc_dir}" COMPONENT strata_dev)

# ---- the CLI -------------------------------------------------------------------------------------
# Called (deferred) from the top-level CMakeLists.txt once cli/ has defined strata_cli.
function(strata_install_cli)
  if(TARGET strata_cli)
    install(TARGETS strata_cli RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}" COMPONENT strata_cli)
  endif()
endfunction()
