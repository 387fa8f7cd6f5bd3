# cmake -DPROG=program -DARG=argument -DOUT=file -P run_to_file.cmake: PROG ARG > OUT
get_filename_component(dir ${OUT} DIRECTORY)
file(MAKE_DIRECTORY ${dir})
execute_process(COMMAND ${PROG} ${ARG} OUTPUT_FILE ${OUT}.tmp RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  file(REMOVE ${OUT}.tmp)
  message(FATAL_ERROR "${PROG} ${ARG} failed (${rc})")
endif()
file(RENAME ${OUT}.tmp ${OUT})
