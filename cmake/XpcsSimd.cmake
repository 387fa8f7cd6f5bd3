# Portable builds.  The user's flags are kept; on top of them every target of
# the engine gets XPCS_ARITH_FLAGS, and the SIMD kernels (xpcs_layer's
# SIMD_SOURCES: the multitau push paths) are compiled once per level of
# XPCS_SIMD_LEVELS with XPCS_SIMD_FLAGS_<level>; kernels/simd picks one at run
# time (the best the CPU runs, or XPCS_SIMD=generic|v2|v3|v4).
#
#   generic  the build's own flags (every CPU the build targets)
#   v2       x86-64-v2: SSE4.2, POPCNT        (2009 on)
#   v3       x86-64-v3: AVX2, FMA, BMI2       (2013 on)
#   v4       x86-64-v4: AVX-512 F/BW/CD/DQ/VL (2017 on)
#
# -ffp-contract=off everywhere: no multiply-add is fused at any level (C11
# mode already means this for GCC; said explicitly so that user flags or
# another compiler cannot fuse at one level and not at another), so every
# level does the same IEEE operations in the same order and the results are
# bit-identical whichever level runs.
# -DXPCS_NATIVE=ON: everything for this machine (-march=native), one level.
include(CheckCCompilerFlag)
set(XPCS_ARITH_FLAGS "")
check_c_compiler_flag(-ffp-contract=off XPCS_HAVE_FP_CONTRACT)
if(XPCS_HAVE_FP_CONTRACT)
  list(APPEND XPCS_ARITH_FLAGS -ffp-contract=off)
endif()
# The SIMD sources pass GCC vector types (8 doubles) between their static
# functions; below AVX-512 GCC notes that such a type's calling convention
# differs between ISA levels (-Wpsabi).  No such function is visible outside
# its file, so the note is about nothing here.
set(XPCS_SIMD_COMMON_FLAGS "")
check_c_compiler_flag(-Wno-psabi XPCS_HAVE_NO_PSABI)
if(XPCS_HAVE_NO_PSABI)
  set(XPCS_SIMD_COMMON_FLAGS -Wno-psabi)
endif()
set(XPCS_SIMD_LEVELS generic)
set(XPCS_SIMD_FLAGS_generic "")
if(XPCS_NATIVE)
  list(APPEND XPCS_ARITH_FLAGS -march=native)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  foreach(level v2 v3 v4)
    check_c_compiler_flag(-march=x86-64-${level} XPCS_HAVE_MARCH_${level})
    if(XPCS_HAVE_MARCH_${level})
      list(APPEND XPCS_SIMD_LEVELS ${level})
      set(XPCS_SIMD_FLAGS_${level} -march=x86-64-${level} -mtune=generic)
    endif()
  endforeach()
endif()
string(REPLACE ";" " " XPCS_SIMD_LEVELS_TEXT "${XPCS_SIMD_LEVELS}")
if(XPCS_NATIVE)
  message(STATUS "SIMD kernels: native (XPCS_NATIVE: -march=native, no dispatch)")
else()
  message(STATUS "SIMD kernels: ${XPCS_SIMD_LEVELS_TEXT}, chosen at run time")
endif()
