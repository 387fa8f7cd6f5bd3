# libxpcs, the installed library: shared (SOVERSION) and static, made of the
# layers' objects (the same objects the per-layer static libraries hold, so
# nothing is compiled twice), exported as xpcs::xpcs and xpcs::xpcs_static.
# The programs keep linking the layers' static libraries (self-contained;
# the build-time layering check works on those).
get_property(_xpcs_objlibs GLOBAL PROPERTY XPCS_OBJECT_LIBS)
get_property(_xpcs_ext GLOBAL PROPERTY XPCS_EXTERNAL_LIBS)
list(REMOVE_DUPLICATES _xpcs_ext)
# the kernels compile with the CBLAS header target; the library links the BLAS
list(TRANSFORM _xpcs_ext REPLACE "^xpcs::cblas$" "BLAS::BLAS")
set(XPCS_EXTERNAL_LIBS ${_xpcs_ext})
set(_xpcs_objs "")
foreach(o ${_xpcs_objlibs})
  list(APPEND _xpcs_objs $<TARGET_OBJECTS:${o}>)
endforeach()
set(XPCS_SOVERSION 0 CACHE STRING "libxpcs's SOVERSION (raised when the ABI changes)")
add_library(xpcs_shared SHARED ${_xpcs_objs})
add_library(xpcs_static STATIC ${_xpcs_objs})
foreach(t xpcs_shared xpcs_static)
  set_target_properties(${t} PROPERTIES OUTPUT_NAME xpcs
    ARCHIVE_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/lib
    LIBRARY_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/lib)
  target_include_directories(${t} INTERFACE $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  target_link_libraries(${t} PRIVATE ${_xpcs_ext})
  if(XPCS_SANITIZE) # a sanitized library needs its runtime in every program that links it
    target_link_options(${t} INTERFACE -fsanitize=address,undefined)
  endif()
endforeach()
set_target_properties(xpcs_shared PROPERTIES VERSION ${PROJECT_VERSION}
  SOVERSION ${XPCS_SOVERSION} EXPORT_NAME xpcs)
set_target_properties(xpcs_static PROPERTIES EXPORT_NAME xpcs_static)
if(CMAKE_SYSTEM_NAME STREQUAL "Linux" AND CMAKE_C_COMPILER_ID MATCHES "GNU|Clang")
  target_link_options(xpcs_shared PRIVATE -Wl,--no-undefined) # every dependency on the link line
endif()
add_library(xpcs::xpcs ALIAS xpcs_shared)
add_library(xpcs::xpcs_static ALIAS xpcs_static)
