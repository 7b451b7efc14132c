# LLMSTREAM_SANITIZE=ON: ASan + UBSan for every target (the native-asan preset).
# LLMSTREAM_BUILD_FUZZERS=ON: instrument everything for libFuzzer coverage as well.
option(LLMSTREAM_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
if(LLMSTREAM_SANITIZE OR LLMSTREAM_BUILD_FUZZERS)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
if(LLMSTREAM_BUILD_FUZZERS)
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
