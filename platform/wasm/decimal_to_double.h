// Decimal text to the nearest double, as strtod reads it in the "C" locale, without libc.
//
// Why: musl's strtod (floatscan) computes in 128-bit long double, which wasm emulates in
// software (__multf3, __divtf3, fmodl, ...): ~8 KB gzipped of the core module for the few
// numbers the options and the JSON reader parse (bench/README.md, "The wasm build's flags").
// platform/wasm/strtod.cpp makes the wasm modules' strtod this function; tests compare it with
// the native libc's strtod (decimal_to_double_test.cpp).
//
// Correctly rounded (round half to even) for every input: exact small cases by Clinger's fast
// path, the rest by the "simple decimal conversion" of Nigel Tao (Wuffs), shifting a decimal
// of at most kMaxDigits digits by powers of two. Accepts what strtod accepts for decimal input:
// leading white space, a sign, digits with one '.', an exponent, "inf", "infinity", "nan" and
// "nan(chars)" in any case. Not hexadecimal floats ("0x1p3" reads as 0, ending at the 'x'):
// nothing in the modules writes them.
#ifndef LLMSTREAM_PLATFORM_WASM_DECIMAL_TO_DOUBLE_H_
#define LLMSTREAM_PLATFORM_WASM_DECIMAL_TO_DOUBLE_H_

namespace llmstream::wasm {

struct DecimalToDoubleResult {
  double value = 0;
  // One past the last character read; `text` itself when no number was found.
  const char* end = nullptr;
  // The value overflowed to infinity or a nonzero input rounded to zero (strtod's ERANGE).
  bool out_of_range = false;
};

DecimalToDoubleResult DecimalToDouble(const char* text);

}  // namespace llmstream::wasm

#endif  // LLMSTREAM_PLATFORM_WASM_DECIMAL_TO_DOUBLE_H_
