# Warnings for our own targets; -Werror only when LLMSTREAM_STRICT is on (CI turns it on).
option(LLMSTREAM_STRICT "Treat warnings as errors" OFF)
function(llmstream_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wno-unused-parameter)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    # GCC 12 at -O2/-O3 reports impossible overlaps inside libstdc++'s std::string (GCC bugs
    # 105329, 105651: "accessing 9223372036854775810 or more bytes"); fixed in GCC 13.
    target_compile_options(${target} PRIVATE -Wno-restrict)
  endif()
  if(LLMSTREAM_STRICT)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
