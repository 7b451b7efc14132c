# Warnings for our own targets; -Werror only when LLMSTREAM_STRICT is on (CI turns it on).
option(LLMSTREAM_STRICT "Treat warnings as errors" OFF)
function(llmstream_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wno-unused-parameter)
  if(LLMSTREAM_STRICT)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
