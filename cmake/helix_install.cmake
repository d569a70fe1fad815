# The helix library as embedders get it: libhelix.a and libhelix.so built
# from one set of objects, the public headers, helix.pc and a CMake package
# (find_package(helix) -> helix::helix, helix::helix_static).
#
# Included from the top-level CMakeLists.txt after helix_kernels (an OBJECT
# library) exists and cJSON / libjpeg have been found. HELIX_LIB_DIRS names
# the source folders above kernels/ that go into the library; a new folder
# is added there and nowhere else.

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

option(HELIX_SHARED "Also build libhelix.so (same objects as libhelix.a)" ON)

# One version, read from the public header so that the header, the SONAME and
# the package files cannot disagree.
file(STRINGS ${CMAKE_SOURCE_DIR}/include/helix/version.h _hx_ver REGEX "^#define HX_VERSION_(MAJOR|MINOR|PATCH) ")
foreach(_part MAJOR MINOR PATCH)
  string(REGEX REPLACE ".*HX_VERSION_${_part} ([0-9]+).*" "\\1" HELIX_VERSION_${_part} "${_hx_ver}")
endforeach()
set(HELIX_VERSION "${HELIX_VERSION_MAJOR}.${HELIX_VERSION_MINOR}.${HELIX_VERSION_PATCH}")

# Every library object is compiled once, with hidden visibility: only what a
# public header declares between HX_API_BEGIN/END is exported from the .so.
set(HELIX_LIB_SRCS "")
foreach(_dir ${HELIX_LIB_DIRS})
  helix_sources(_srcs ${_dir})
  list(APPEND HELIX_LIB_SRCS ${_srcs})
endforeach()
add_library(helix_objects OBJECT ${HELIX_LIB_SRCS})
# The source root is for the folders' own internal headers ("nn/bert_internal.h").
target_include_directories(helix_objects PUBLIC ${CJSON_INCLUDE} PRIVATE ${CMAKE_SOURCE_DIR})
target_link_libraries(helix_objects PUBLIC helix_kernels ${CJSON_LIB} m)
if("image" IN_LIST HELIX_LIB_DIRS)
  # image/ is the only part of the library that decodes JPEG.
  target_include_directories(helix_objects PRIVATE ${JPEG_INCLUDE_DIRS})
  target_link_libraries(helix_objects PUBLIC ${JPEG_LIBRARIES})
endif()
if(HELIX_FUZZ)
  target_compile_options(helix_objects PRIVATE ${HELIX_FUZZ_FLAGS})
endif()
set_target_properties(helix_kernels helix_objects PROPERTIES C_VISIBILITY_PRESET hidden)

# Each library gets the objects of both OBJECT libraries (objects go only to a
# target linking them directly, so the CLI and tests linking helix do not get
# them twice) and, in the build tree, their usage requirements; installed, it
# carries only <prefix>/include (and, static, its link dependencies).
function(helix_library target kind)
  add_library(${target} ${kind})
  target_link_libraries(${target} PUBLIC $<BUILD_INTERFACE:helix_kernels> $<BUILD_INTERFACE:helix_objects>)
  target_include_directories(${target} INTERFACE $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  set_target_properties(${target} PROPERTIES OUTPUT_NAME helix)
endfunction()

helix_library(helix STATIC)
# What a static link needs besides libhelix.a (the .so records it itself).
set(_hx_static_deps Threads::Threads ${CJSON_LIB} m)
if(OPENBLAS_LIB AND HELIX_CBLAS_INCLUDE)
  list(PREPEND _hx_static_deps ${OPENBLAS_LIB})
endif()
if("image" IN_LIST HELIX_LIB_DIRS)
  list(APPEND _hx_static_deps ${JPEG_LIBRARIES})
endif()
target_link_libraries(helix INTERFACE $<INSTALL_INTERFACE:${_hx_static_deps}>)
set_target_properties(helix PROPERTIES EXPORT_NAME helix_static)
set(_hx_install_targets helix)

if(HELIX_SHARED)
  helix_library(helix_shared SHARED)
  set_target_properties(helix_shared PROPERTIES
    EXPORT_NAME helix
    VERSION ${HELIX_VERSION}
    SOVERSION ${HELIX_VERSION_MAJOR}.${HELIX_VERSION_MINOR})
  # Every symbol resolved at link time (a missing dependency fails here, not in
  # an embedder's program). Sanitizer runtimes are resolved by the executable.
  if(NOT HELIX_SANITIZE AND NOT HELIX_FUZZ)
    target_link_options(helix_shared PRIVATE -Wl,--no-undefined)
  endif()
  list(APPEND _hx_install_targets helix_shared)
endif()

# ---- install ----
install(TARGETS ${_hx_install_targets} EXPORT helixTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${CMAKE_SOURCE_DIR}/include/helix.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/include/helix DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.h")

set(_hx_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/helix)
install(EXPORT helixTargets NAMESPACE helix:: DESTINATION ${_hx_cmake_dir})
configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/helixConfig.cmake.in
  ${CMAKE_BINARY_DIR}/helixConfig.cmake INSTALL_DESTINATION ${_hx_cmake_dir})
# 0.x: a minor release may change the API.
write_basic_package_version_file(${CMAKE_BINARY_DIR}/helixConfigVersion.cmake
  VERSION ${HELIX_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/helixConfig.cmake ${CMAKE_BINARY_DIR}/helixConfigVersion.cmake
  DESTINATION ${_hx_cmake_dir})

# helix.pc: Libs for the shared library; Libs.private what `pkg-config
# --static` adds for libhelix.a. Plain -l flags rather than Requires.private,
# so that pkg-config works where openblas.pc / libcjson.pc are not installed.
function(helix_pc_lib out lib)
  get_filename_component(_name ${lib} NAME_WE)
  get_filename_component(_dir ${lib} DIRECTORY)
  string(REGEX REPLACE "^lib" "" _name ${_name})
  set(_flag "-l${_name}")
  if(_dir AND NOT _dir IN_LIST CMAKE_C_IMPLICIT_LINK_DIRECTORIES)
    set(_flag "-L${_dir} ${_flag}")
  endif()
  set(${out} ${_flag} PARENT_SCOPE)
endfunction()
set(HELIX_PC_LIBS_PRIVATE "")
foreach(_lib ${_hx_static_deps})
  if(_lib STREQUAL "Threads::Threads")
    set(_flag "-lpthread")
  elseif(_lib STREQUAL "m")
    set(_flag "-lm")
  else()
    helix_pc_lib(_flag ${_lib})
  endif()
  string(APPEND HELIX_PC_LIBS_PRIVATE " ${_flag}")
endforeach()
string(STRIP "${HELIX_PC_LIBS_PRIVATE}" HELIX_PC_LIBS_PRIVATE)
# The prefix relative to the .pc file, so that `cmake --install --prefix P`
# to any P gives a working helix.pc.
file(RELATIVE_PATH HELIX_PC_PREFIX_FROM_PCDIR
  /_hxroot/${CMAKE_INSTALL_LIBDIR}/pkgconfig /_hxroot)
string(REGEX REPLACE "/$" "" HELIX_PC_PREFIX_FROM_PCDIR "${HELIX_PC_PREFIX_FROM_PCDIR}")
configure_file(${CMAKE_SOURCE_DIR}/cmake/helix.pc.in ${CMAKE_BINARY_DIR}/helix.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/helix.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
