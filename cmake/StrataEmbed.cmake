# strata_embed_migrations(): compile a directory of migration files into a program, so that it
# can migrate its database at start-up without shipping the files. See docs/library.md.
#
#   strata_embed_migrations(TARGET <target> DIR <dir>
#                           [NAME <function>] [NAMESPACE <ns>] [LABEL <label>] [NO_LINK])
#
# Adds to <target> a generated .cc that defines `strata::Source <ns>::<function>()` (default
# function name: strata_migrations; default: no namespace), declared in a generated header
# "<function>.h" whose directory is added to <target>'s include path. The Source holds every file
# of <dir> that strata would read (a name ending in .sql in any case, not starting with '.'),
# byte for byte: checksums equal those of Source::Directory(<dir>). <label> (default: <dir>
# relative to the project, or its last component when outside) stands for the directory in
# messages ("<label>/v003_x.sql:4:7: ...").
#
# The C++ is generated at build time by `cmake -P StrataEmbedGenerate.cmake` and regenerated
# when a file changes; adding or removing a file re-runs the configure step (CONFIGURE_DEPENDS).
# <target> is linked to strata::strata (PRIVATE for an executable, PUBLIC otherwise) unless
# NO_LINK is given, e.g. for a target that uses the plain target_link_libraries() signature.
# The call must be in the directory that defines <target>; a target may embed several
# directories under different NAMEs.
include_guard(GLOBAL)

set_property(GLOBAL PROPERTY STRATA_EMBED_GENERATOR "${CMAKE_CURRENT_LIST_DIR}/StrataEmbedGenerate.cmake")

# Writes `content` to `path` unless it already holds exactly that, so that dependents do not
# rebuild on every configure.
function(_strata_write_if_changed path content)
  if(EXISTS "${path}")
    file(READ "${path}" old)
    if(old STREQUAL content)
      return()
    endif()
  endif()
  file(WRITE "${path}" "${content}")
endfunction()

function(strata_embed_migrations)
  cmake_parse_arguments(PARSE_ARGV 0 arg "NO_LINK" "TARGET;DIR;NAME;NAMESPACE;LABEL" "")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "strata_embed_migrations: unexpected arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT arg_TARGET OR NOT TARGET "${arg_TARGET}")
    message(FATAL_ERROR "strata_embed_migrations: TARGET must name an existing target (got '${arg_TARGET}')")
  endif()
  if(NOT arg_DIR)
    message(FATAL_ERROR "strata_embed_migrations: DIR is required")
  endif()
  if(NOT DEFINED arg_NAME)
    set(arg_NAME strata_migrations)
  endif()
  if(NOT arg_NAME MATCHES "^[A-Za-z_][A-Za-z0-9_]*$")
    message(FATAL_ERROR "strata_embed_migrations: NAME '${arg_NAME}' is not a C++ identifier")
  endif()
  if(arg_NAMESPACE AND NOT arg_NAMESPACE MATCHES "^[A-Za-z_][A-Za-z0-9_]*(::[A-Za-z_][A-Za-z0-9_]*)*$")
    message(FATAL_ERROR "strata_embed_migrations: NAMESPACE '${arg_NAMESPACE}' is not a C++ namespace name")
  endif()

  get_target_property(target_type ${arg_TARGET} TYPE)
  get_target_property(target_dir ${arg_TARGET} SOURCE_DIR)
  if(target_type STREQUAL "INTERFACE_LIBRARY" OR target_type STREQUAL "UTILITY")
    message(FATAL_ERROR "strata_embed_migrations: ${arg_TARGET} is a ${target_type}; it needs a target that compiles sources")
  endif()
  if(NOT target_dir STREQUAL CMAKE_CURRENT_SOURCE_DIR)
    # A custom command's output can only be a source of targets of the same directory.
    message(FATAL_ERROR "strata_embed_migrations: call it in ${target_dir}, where ${arg_TARGET} is defined")
  endif()
  get_target_property(embedded_names ${arg_TARGET} STRATA_EMBEDDED_NAMES)
  if(embedded_names AND arg_NAME IN_LIST embedded_names)
    message(FATAL_ERROR "strata_embed_migrations: ${arg_TARGET} already has migrations named ${arg_NAME}; pass another NAME")
  endif()
  set_property(TARGET ${arg_TARGET} APPEND PROPERTY STRATA_EMBEDDED_NAMES ${arg_NAME})

  get_filename_component(dir "${arg_DIR}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  if(NOT IS_DIRECTORY "${dir}")
    message(FATAL_ERROR "strata_embed_migrations: '${dir}' is not a directory")
  endif()
  if(DEFINED arg_LABEL)
    set(label "${arg_LABEL}")
  else()
    file(RELATIVE_PATH label "${PROJECT_SOURCE_DIR}" "${dir}")
    if(label STREQUAL "" OR label MATCHES "^\\.\\./" OR IS_ABSOLUTE "${label}")
      get_filename_component(label "${dir}" NAME)
    endif()
  endif()

  # The same selection as Source::Directory: regular files directly in `dir` whose name ends in
  # .sql (any case) and does not start with '.'. Globbing everything makes a new file of any
  # name re-run the configure step, which is cheap and keeps the rule simple.
  file(GLOB entries CONFIGURE_DEPENDS LIST_DIRECTORIES false "${dir}/*")
  set(files "")
  foreach(entry IN LISTS entries)
    get_filename_component(name "${entry}" NAME)
    if(name MATCHES "^[^.].*\\.[Ss][Qq][Ll]$" AND NOT IS_DIRECTORY "${entry}")
      list(APPEND files "${entry}")
    endif()
  endforeach()
  list(SORT files)
  list(LENGTH files count)

  set(gen_dir "${CMAKE_CURRENT_BINARY_DIR}/strata_embed/${arg_TARGET}")
  set(header "${gen_dir}/include/${arg_NAME}.h")
  set(source "${gen_dir}/${arg_NAME}.cc")
  set(params "${gen_dir}/${arg_NAME}.params.cmake")

  # Everything the generator needs, in bracket arguments so that no character of a path or label
  # is interpreted.
  set(b "[=====[")
  set(e "]=====]")
  foreach(value IN ITEMS "${label}" "${dir}" ${files})
    if(value MATCHES "]=====]")
      message(FATAL_ERROR "strata_embed_migrations: cannot embed from a path or label containing ']=====]'")
    endif()
  endforeach()
  string(CONCAT content
    "# Written by strata_embed_migrations() at configure time; read by StrataEmbedGenerate.cmake.\n"
    "set(STRATA_EMBED_NAME ${b}${arg_NAME}${e})\n"
    "set(STRATA_EMBED_NAMESPACE ${b}${arg_NAMESPACE}${e})\n"
    "set(STRATA_EMBED_LABEL ${b}${label}${e})\n"
    "set(STRATA_EMBED_DIR ${b}${dir}${e})\n"
    "set(STRATA_EMBED_FILE_COUNT ${count})\n")
  set(i 0)
  foreach(f IN LISTS files)
    string(APPEND content "set(STRATA_EMBED_FILE_${i} ${b}${f}${e})\n")
    math(EXPR i "${i} + 1")
  endforeach()
  _strata_write_if_changed("${params}" "${content}")

  if(arg_NAMESPACE)
    set(ns_open "namespace ${arg_NAMESPACE} {\n\n")
    set(ns_close "\n}  // namespace ${arg_NAMESPACE}\n")
  else()
    set(ns_open "")
    set(ns_close "")
  endif()
  string(CONCAT content
    "// Generated by strata_embed_migrations() for target ${arg_TARGET}. Do not edit.\n"
    "#pragma once\n\n"
    "#include <strata/migrator.h>\n\n"
    "${ns_open}"
    "// The migration files of the directory given to strata_embed_migrations(), compiled into the\n"
    "// program byte for byte. The Source refers to static data: it may be used, copied and kept for\n"
    "// the whole life of the program. Each call returns a new Source over the same data.\n"
    "strata::Source ${arg_NAME}();\n"
    "${ns_close}")
  _strata_write_if_changed("${header}" "${content}")

  get_property(generator GLOBAL PROPERTY STRATA_EMBED_GENERATOR)
  add_custom_command(
    OUTPUT "${source}"
    COMMAND "${CMAKE_COMMAND}" "-DSTRATA_EMBED_PARAMS=${params}" "-DSTRATA_EMBED_OUTPUT=${source}"
            -P "${generator}"
    # The directory too: its time stamp changes when a file is added, removed or renamed.
    DEPENDS ${files} "${dir}" "${params}" "${generator}"
    COMMENT "Embedding ${count} migration file(s) of ${label} into ${arg_TARGET}"
    VERBATIM)

  if(target_type STREQUAL "EXECUTABLE")
    set(scope PRIVATE)
  else()
    set(scope PUBLIC)
  endif()
  target_sources(${arg_TARGET} PRIVATE "${source}" "${header}")
  target_include_directories(${arg_TARGET} ${scope} "$<BUILD_INTERFACE:${gen_dir}/include>")
  if(NOT arg_NO_LINK)
    if(NOT TARGET strata::strata)
      message(FATAL_ERROR "strata_embed_migrations: no strata::strata target; call find_package(strata CONFIG REQUIRED) first")
    endif()
    target_link_libraries(${arg_TARGET} ${scope} strata::strata)
  endif()
endfunction()
