// The wasm modules' strtod (platform/wasm/decimal_to_double.h) against the C library's, which
// rounds correctly (glibc natively, musl in the wasm test suite), and against hand-written bits.
#include "decimal_to_double.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace llmstream::wasm {
namespace {

uint64_t Bits(double value) {
  uint64_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

// Same value (bit for bit: signed zeros, subnormals) and the same end as libc's strtod.
void ExpectLikeLibc(const std::string& text) {
  char* libc_end = nullptr;
  const double expected = std::strtod(text.c_str(), &libc_end);
  const DecimalToDoubleResult result = DecimalToDouble(text.c_str());
  if (std::isnan(expected)) {
    EXPECT_TRUE(std::isnan(result.value)) << text;
  } else {
    EXPECT_EQ(Bits(result.value), Bits(expected))
        << text << " gave " << result.value << ", libc " << expected;
  }
  EXPECT_EQ(result.end - text.c_str(), libc_end - text.c_str()) << text;
}

TEST(DecimalToDouble, KnownBits) {
  const struct {
    const char* text;
    uint64_t bits;
  } cases[] = {
      {"0.1", 0x3FB999999999999A},
      {"0.7", 0x3FE6666666666666},
      {"1", 0x3FF0000000000000},
      {"-2.5", 0xC004000000000000},
      {"1.7976931348623157e308", 0x7FEFFFFFFFFFFFFF},   // the largest double
      {"1.7976931348623159e308", 0x7FF0000000000000},   // rounds past it: infinity
      {"2.2250738585072014e-308", 0x0010000000000000},  // the smallest normal
      {"2.2250738585072011e-308", 0x000FFFFFFFFFFFFF},  // the largest subnormal
      {"4.9406564584124654e-324", 0x0000000000000001},  // the smallest subnormal
      {"2.4703282292062328e-324", 0x0000000000000001},  // just above half of it: up
      {"2.4703282292062327e-324", 0x0000000000000000},  // just below half: zero
      {"9007199254740993", 0x4340000000000000},         // 2^53 + 1: halfway, to even (2^53)
      {"9007199254740995", 0x4340000000000002},         // 2^53 + 3: halfway, to even (2^53 + 4)
      {"1e23", 0x44B52D02C7E14AF6},                     // past the exact powers of ten
      {"-0", 0x8000000000000000},
      {"0e999999999", 0x0000000000000000},
      {"1e-99999999999", 0x0000000000000000},
      {"1e99999999999", 0x7FF0000000000000},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Bits(DecimalToDouble(c.text).value), c.bits) << c.text;
  }
}

TEST(DecimalToDouble, HalfwayDecidedPastTheStoredDigits) {
  // 2^53 + 1 (exactly halfway between two doubles) followed by 900 zeros and a 1: the 1 lies past
  // the digits kept (800), and still rounds up.
  const std::string halfway = "9007199254740993." + std::string(900, '0');
  EXPECT_EQ(Bits(DecimalToDouble((halfway + "1").c_str()).value), 0x4340000000000001u);
  EXPECT_EQ(Bits(DecimalToDouble(halfway.c_str()).value), 0x4340000000000000u);
  ExpectLikeLibc(halfway + "1");
  ExpectLikeLibc(std::string(1000, '9') + "e-1000");
  ExpectLikeLibc("0." + std::string(400, '0') + std::string(500, '3'));
}

TEST(DecimalToDouble, Syntax) {
  for (const char* text :
       {"",      "-",     "+",           ".",         "-.",       "e5",      " \t\n+1.5x",
        "1e",    "1e+",   "1e-x",        "5.",        ".5",       "-.5e-3",  "00012.5000",
        "1.2.3", "1ee5",  "inf",         "-Infinity", "INFINITE", "infinit", "nan",
        "NaN",   "-nan",  "nan(123abc)", "nan(",      "nan(1",    "in",      "na",
        "+-1",   "1e+-5", "  ",          "\v7"}) {
    ExpectLikeLibc(text);
  }
  // Hexadecimal floats are not read (the header says why): "0x1p3" is 0 ending at the 'x'.
  const char* hex = "0x1p3";
  const DecimalToDoubleResult result = DecimalToDouble(hex);
  EXPECT_EQ(result.value, 0);
  EXPECT_EQ(result.end, hex + 1);
}

TEST(DecimalToDouble, OutOfRange) {
  EXPECT_TRUE(DecimalToDouble("1e400").out_of_range);
  EXPECT_TRUE(DecimalToDouble("-1e400").out_of_range);
  EXPECT_TRUE(DecimalToDouble("1e-400").out_of_range);
  EXPECT_FALSE(DecimalToDouble("1.5").out_of_range);
  EXPECT_FALSE(DecimalToDouble("0").out_of_range);
  EXPECT_FALSE(DecimalToDouble("4.9406564584124654e-324").out_of_range);
}

TEST(DecimalToDouble, RandomTextsLikeLibc) {
  std::mt19937_64 rng(20261207);
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    if (rng() % 2) text += '-';
    const int digits = 1 + static_cast<int>(rng() % (i % 10 == 0 ? 60 : 20));
    const int point = static_cast<int>(rng() % (digits + 1));
    for (int d = 0; d < digits; ++d) {
      if (d == point && point != 0) text += '.';
      text += static_cast<char>('0' + rng() % 10);
    }
    if (rng() % 3) text += "e" + std::to_string(static_cast<int>(rng() % 700) - 350);
    ExpectLikeLibc(text);
  }
}

TEST(DecimalToDouble, EveryPrintedDoubleAndTheMidpointsAroundIt) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 3000; ++i) {
    double value;
    const uint64_t bits = rng() >> (i % 3 == 0 ? 12 : 1);  // a third of them subnormal or small
    std::memcpy(&value, &bits, sizeof value);
    if (!std::isfinite(value)) continue;
    char buffer[1200];
    for (const char* format : {"%.17g", "%.15g", "%.6e"}) {
      std::snprintf(buffer, sizeof buffer, format, value);
      ExpectLikeLibc(buffer);
    }
    // The exact decimal of the midpoint to the next double (long double holds it: 64-bit or
    // 113-bit mantissas), and a hair above it: round half to even, and the tie broken.
    const long double next = std::nextafter(value, std::numeric_limits<double>::infinity());
    const long double midpoint = (static_cast<long double>(value) + next) / 2;
    std::snprintf(buffer, sizeof buffer, "%.1100Le", midpoint);
    std::string exact = buffer;
    ExpectLikeLibc(exact);
    const size_t e = exact.find('e');
    ExpectLikeLibc(exact.substr(0, e) + "0000001" + exact.substr(e));
  }
}

}  // namespace
}  // namespace llmstream::wasm
