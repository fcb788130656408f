# zoo_add_registry(<target> [NAMESPACE <a::b>] [HEADER <name.h>] SOURCES <file.zoo>...
#                  [IMPORT_DIRS <dir>...] [OPTIONS <zooc option>...])
#
# Compiles the given .zoo files with zooc (checking every `expect`) into a constexpr C++ header,
# and makes <target> an INTERFACE library whose include directory holds it: link <target> and
# `#include "<name.h>"` (default: <target>.h). The header is written in the calling directory's
# binary directory, rebuilt when a source, an import or the stdlib changes (zooc writes a
# depfile), and left untouched when its text would not change. NAMESPACE (default
# zoo::registry) also sets the include guard, so headers of different namespaces can be
# included together.
function(zoo_add_registry target)
  cmake_parse_arguments(Z "" "NAMESPACE;HEADER" "SOURCES;IMPORT_DIRS;OPTIONS" ${ARGN})
  if(NOT Z_SOURCES)
    message(FATAL_ERROR "zoo_add_registry(${target}): no SOURCES")
  endif()
  if(Z_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "zoo_add_registry(${target}): unknown arguments ${Z_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT Z_NAMESPACE)
    set(Z_NAMESPACE zoo::registry)
  endif()
  if(NOT Z_HEADER)
    set(Z_HEADER ${target}.h)
  endif()
  set(dir ${CMAKE_CURRENT_BINARY_DIR}/${target}-registry)
  set(header ${dir}/${Z_HEADER})
  set(sources)
  foreach(s IN LISTS Z_SOURCES)
    get_filename_component(s ${s} ABSOLUTE BASE_DIR ${CMAKE_CURRENT_SOURCE_DIR})
    list(APPEND sources ${s})
  endforeach()
  set(imports)
  foreach(d IN LISTS Z_IMPORT_DIRS)
    get_filename_component(d ${d} ABSOLUTE BASE_DIR ${CMAKE_CURRENT_SOURCE_DIR})
    list(APPEND imports -I${d})
  endforeach()
  add_custom_command(
    OUTPUT ${header}
    COMMAND zoo::zooc --emit=cpp-header --cpp-namespace=${Z_NAMESPACE} --write-if-changed
            --depfile=${header}.d -o ${header} ${imports} ${Z_OPTIONS} ${sources}
    DEPENDS zoo::zooc ${sources}
    DEPFILE ${header}.d
    COMMENT "zooc: checking ${target}'s models and generating ${Z_HEADER}"
    VERBATIM)
  add_custom_target(${target}_header DEPENDS ${header})
  add_library(${target} INTERFACE)
  target_include_directories(${target} INTERFACE $<BUILD_INTERFACE:${dir}>)
  add_dependencies(${target} ${target}_header)
endfunction()
