# Man pages and bash completion of the five tools, generated at build time
# from their option tables (each tool's hidden --man and --completion
# outputs: config/optshow), installed under share/man/man1 and
# share/bash-completion/completions.
option(XPCS_DOCS "Generate man pages and bash completion (runs the tools at build time)" ON)
set(XPCS_TOOLS xpcs-corr xpcs-synth xpcs-average xpcs-fit xpcs-report)
if(XPCS_DOCS AND NOT CMAKE_CROSSCOMPILING)
  set(_xpcs_docs "")
  foreach(tool ${XPCS_TOOLS})
    set(man ${PROJECT_BINARY_DIR}/share/man/man1/${tool}.1)
    set(comp ${PROJECT_BINARY_DIR}/share/bash-completion/completions/${tool})
    add_custom_command(OUTPUT ${man} ${comp}
      COMMAND ${CMAKE_COMMAND} -DPROG=$<TARGET_FILE:${tool}> -DARG=--man -DOUT=${man}
              -P ${PROJECT_SOURCE_DIR}/cmake/run_to_file.cmake
      COMMAND ${CMAKE_COMMAND} -DPROG=$<TARGET_FILE:${tool}> -DARG=--completion -DOUT=${comp}
              -P ${PROJECT_SOURCE_DIR}/cmake/run_to_file.cmake
      DEPENDS ${tool} ${PROJECT_SOURCE_DIR}/cmake/run_to_file.cmake
      COMMENT "${tool}: man page and bash completion" VERBATIM)
    list(APPEND _xpcs_docs ${man} ${comp})
    install(FILES ${man} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
    install(FILES ${comp} DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
  endforeach()
  add_custom_target(xpcs_docs ALL DEPENDS ${_xpcs_docs})
endif()
