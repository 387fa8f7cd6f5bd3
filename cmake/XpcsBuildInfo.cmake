# Build provenance (core/buildinfo): version, git commit, compiler, flags,
# SIMD levels and BLAS, written into ${build}/generated/buildinfo.c at every
# build by cmake/buildinfo.cmake (rewritten only when it changes, so a
# commit recompiles one file).  The results' /xpcs/*/config/build, the
# profile and every tool's --version print it.
string(TOUPPER "${CMAKE_BUILD_TYPE}" _xpcs_bt)
set(_xpcs_flags "${CMAKE_C_FLAGS} ${CMAKE_C_FLAGS_${_xpcs_bt}} ${XPCS_ARITH_FLAGS}")
string(REPLACE ";" " " _xpcs_flags "${_xpcs_flags}")
string(REGEX REPLACE "  +" " " _xpcs_flags "${_xpcs_flags}")
string(STRIP "${_xpcs_flags}" _xpcs_flags)
set(XPCS_GIT_HASH "" CACHE STRING "git commit to record when the sources are not a git checkout")
set(XPCS_BUILDINFO_C ${PROJECT_BINARY_DIR}/generated/buildinfo.c)
set(_xpcs_buildinfo_cmd ${CMAKE_COMMAND} -DSRC=${PROJECT_SOURCE_DIR} -DOUT=${XPCS_BUILDINFO_C}
  -DVERSION=${PROJECT_VERSION} -DGIT=${XPCS_GIT_HASH}
  "-DCOMPILER=${CMAKE_C_COMPILER_ID} ${CMAKE_C_COMPILER_VERSION}"
  "-DFLAGS=${_xpcs_flags}" -DTYPE=${CMAKE_BUILD_TYPE}
  "-DLEVELS=${XPCS_SIMD_LEVELS_TEXT}" -DNATIVE=${XPCS_NATIVE}
  "-DBLAS=${BLA_VENDOR}" -P ${PROJECT_SOURCE_DIR}/cmake/buildinfo.cmake)
execute_process(COMMAND ${_xpcs_buildinfo_cmd}) # exists before the first build
add_custom_target(xpcs_buildinfo COMMAND ${_xpcs_buildinfo_cmd}
  BYPRODUCTS ${XPCS_BUILDINFO_C} COMMENT "build provenance" VERBATIM)
