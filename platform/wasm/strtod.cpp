// The wasm modules' strtod: DecimalToDouble (decimal_to_double.h says why), not musl's, whose
// 128-bit long double arithmetic wasm emulates in software. Its callers are nlohmann's JSON
// lexer and json::Reader (core/src/json/reader.cpp), both with JSON numbers. strtof and strtold
// are here too: libc++'s string.o (std::to_string's object) refers to them for std::stof and
// std::stold, which nothing calls, and musl defines the three in one object (so either would
// pull in musl's strtod, and the link fails on a second one). Linked into the wasm modules only:
// the native build and the wasm test suite keep libc's (the tests compare the two).
#include <cerrno>
#include <cstdlib>

#include "decimal_to_double.h"

extern "C" double strtod(const char* text, char** end) {
  const llmstream::wasm::DecimalToDoubleResult result = llmstream::wasm::DecimalToDouble(text);
  if (end != nullptr) *end = const_cast<char*>(result.end);
  if (result.out_of_range) errno = ERANGE;
  return result.value;
}

// Rounded twice (to double, then to float): off by one unit in rare halfway cases. Never called.
extern "C" float strtof(const char* text, char** end) {
  return static_cast<float>(strtod(text, end));
}

// A double's precision, not a long double's. Never called.
extern "C" long double strtold(const char* text, char** end) { return strtod(text, end); }
