# cmake --install: the five tools, libxpcs (shared and static) with its
# public headers, the CMake package (find_package(xpcs-toolkit): xpcs::xpcs,
# xpcs::xpcs_static), xpcs-toolkit.pc, the Python package, the job scripts
# and the license files.  Man pages and completion: cmake/XpcsDocs.cmake.
include(CMakePackageConfigHelpers)
set(XPCS_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/xpcs-toolkit)
install(TARGETS ${XPCS_TOOLS} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS xpcs_shared xpcs_static EXPORT xpcs-toolkit-targets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
# Public headers: include/xpcs/<layer>/ (io's private headers live in
# src/io; comm_mpi.h only hands the communicator to io's HDF5 calls).
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/xpcs DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.h" PATTERN "comm_mpi.h" EXCLUDE)
install(EXPORT xpcs-toolkit-targets NAMESPACE xpcs:: DESTINATION ${XPCS_CMAKE_DIR}
  FILE xpcs-toolkitTargets.cmake)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/xpcs-toolkitConfig.cmake.in
  ${PROJECT_BINARY_DIR}/xpcs-toolkitConfig.cmake INSTALL_DESTINATION ${XPCS_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/xpcs-toolkitConfigVersion.cmake
  COMPATIBILITY SameMinorVersion) # 0.x: minor versions may change the API
install(FILES ${PROJECT_BINARY_DIR}/xpcs-toolkitConfig.cmake
  ${PROJECT_BINARY_DIR}/xpcs-toolkitConfigVersion.cmake DESTINATION ${XPCS_CMAKE_DIR})

# pkg-config: the prefix relative to the .pc file (a relocatable install);
# Libs.private lists what a static link needs beyond the Requires.private
# modules (MPI, HDF5, the BLAS and OpenMP have no common .pc names).
file(RELATIVE_PATH _xpcs_pc_up /p/${CMAKE_INSTALL_LIBDIR}/pkgconfig /p)
set(_xpcs_priv "")
foreach(lib ${MPI_C_LIBRARIES} ${HDF5_C_LIBRARIES} ${BLAS_LIBRARIES})
  # HDF5's list also names what libhdf5 itself links (curl, crypto, ...)
  if(NOT lib IN_LIST HDF5_C_LIBRARIES OR lib MATCHES "hdf5")
    list(APPEND _xpcs_priv ${lib})
  endif()
endforeach()
list(APPEND _xpcs_priv ${OpenMP_C_FLAGS} -lm)
list(REMOVE_DUPLICATES _xpcs_priv)
string(REPLACE ";" " " XPCS_PC_LIBS_PRIVATE "${_xpcs_priv}")
set(XPCS_PC_LIBS_SAN "") # -DXPCS_SANITIZE=ON: consumers link the sanitizer runtimes too
if(XPCS_SANITIZE)
  set(XPCS_PC_LIBS_SAN " -fsanitize=address,undefined")
endif()
set(XPCS_PC_PREFIX "\${pcfiledir}/${_xpcs_pc_up}")
configure_file(${PROJECT_SOURCE_DIR}/cmake/xpcs-toolkit.pc.in
  ${PROJECT_BINARY_DIR}/xpcs-toolkit.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/xpcs-toolkit.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# Python: python/xpcs_toolkit into lib/pythonX.Y/site-packages (put it on
# PYTHONPATH, or set XPCS_PYTHON_INSTALL_DIR), with _build.py telling it
# where libxpcs and the tools are, relative to itself.
if(Python3_FOUND)
  set(_xpcs_py lib/python${Python3_VERSION_MAJOR}.${Python3_VERSION_MINOR}/site-packages)
else()
  set(_xpcs_py lib/python3/site-packages)
endif()
set(XPCS_PYTHON_INSTALL_DIR ${_xpcs_py} CACHE STRING "where the xpcs_toolkit package goes")
file(RELATIVE_PATH XPCS_PY_LIBDIR /p/${XPCS_PYTHON_INSTALL_DIR}/xpcs_toolkit
  /p/${CMAKE_INSTALL_LIBDIR})
file(RELATIVE_PATH XPCS_PY_BINDIR /p/${XPCS_PYTHON_INSTALL_DIR}/xpcs_toolkit
  /p/${CMAKE_INSTALL_BINDIR})
set(XPCS_PY_LIBRARY ${CMAKE_SHARED_LIBRARY_PREFIX}xpcs${CMAKE_SHARED_LIBRARY_SUFFIX}.${XPCS_SOVERSION})
configure_file(${PROJECT_SOURCE_DIR}/cmake/python_build.py.in
  ${PROJECT_BINARY_DIR}/python/_build.py @ONLY)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/python/xpcs_toolkit DESTINATION ${XPCS_PYTHON_INSTALL_DIR}
  PATTERN "__pycache__" EXCLUDE)
install(FILES ${PROJECT_BINARY_DIR}/python/_build.py
  DESTINATION ${XPCS_PYTHON_INSTALL_DIR}/xpcs_toolkit)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/jobs DESTINATION ${CMAKE_INSTALL_DATADIR}/xpcs-toolkit
  USE_SOURCE_PERMISSIONS)
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE ${PROJECT_SOURCE_DIR}/CITATION.cff
  ${PROJECT_SOURCE_DIR}/CHANGELOG.md ${PROJECT_SOURCE_DIR}/README.md
  DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/xpcs-toolkit)
