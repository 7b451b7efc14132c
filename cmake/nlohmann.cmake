# nlohmann::json is used on cold paths only (request building, tests, the slow reference path).
if(EMSCRIPTEN)
  # Under em++ never add /usr/include (it breaks libc++, toolchain.md pitfall 2): expose only a
  # folder holding a link to the nlohmann headers.
  set(NLOHMANN_JSON_HEADERS "/usr/include/nlohmann" CACHE PATH "folder that contains json.hpp")
  set(_llmstream_nl "${CMAKE_BINARY_DIR}/_nlohmann_shim")
  file(MAKE_DIRECTORY "${_llmstream_nl}")
  if(NOT EXISTS "${_llmstream_nl}/nlohmann")
    file(CREATE_LINK "${NLOHMANN_JSON_HEADERS}" "${_llmstream_nl}/nlohmann" SYMBOLIC)
  endif()
  add_library(llmstream_nlohmann_json INTERFACE)
  target_include_directories(llmstream_nlohmann_json SYSTEM INTERFACE "${_llmstream_nl}")
  add_library(nlohmann_json::nlohmann_json ALIAS llmstream_nlohmann_json)
else()
  find_package(nlohmann_json 3.11 REQUIRED CONFIG)
endif()
