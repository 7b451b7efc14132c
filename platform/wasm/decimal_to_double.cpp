#include "decimal_to_double.h"

#include <cstdint>
#include <cstring>
#include <limits>

namespace llmstream::wasm {
namespace {

// Enough significant digits to decide the rounding of any double (the longest exact decimal of a
// double has 767 significant digits); the rest only says whether anything nonzero followed.
constexpr int kMaxDigits = 800;
// At most this many bits per shift: 9 << 60 still fits 64 bits with the carry.
constexpr int kMaxShift = 60;
// Past these decimal exponents the value is 0 or infinity whatever the digits.
constexpr int kDecimalPointRange = 2047;
constexpr int kMantissaBits = 52;
constexpr int kMinimumExponent = -1023;
constexpr int kInfinitePower = 0x7FF;

// The value 0.d[0]d[1]...d[count-1] x 10^point; `truncated`: nonzero digits were dropped.
struct Decimal {
  int count = 0;
  int point = 0;
  bool truncated = false;
  // kMaxShift bits add at most 19 digits: LeftShift writes them before moving the number down.
  uint8_t d[kMaxDigits + 19];

  void Trim() {
    while (count > 0 && d[count - 1] == 0) --count;
  }

  // Divides by 2^shift (shift <= kMaxShift).
  void RightShift(int shift) {
    int read = 0, write = 0;
    uint64_t n = 0;
    while ((n >> shift) == 0) {
      if (read < count) {
        n = 10 * n + d[read++];
      } else if (n == 0) {
        return;
      } else {
        while ((n >> shift) == 0) {
          n *= 10;
          ++read;
        }
        break;
      }
    }
    point -= read - 1;
    if (point < -kDecimalPointRange) {
      count = point = 0;
      truncated = false;
      return;
    }
    const uint64_t mask = (uint64_t{1} << shift) - 1;
    while (read < count) {
      const uint8_t digit = static_cast<uint8_t>(n >> shift);
      n = 10 * (n & mask) + d[read++];
      d[write++] = digit;
    }
    while (n > 0) {
      const uint8_t digit = static_cast<uint8_t>(n >> shift);
      n = 10 * (n & mask);
      if (write < kMaxDigits) {
        d[write++] = digit;
      } else if (digit > 0) {
        truncated = true;
      }
    }
    count = write;
    Trim();
  }

  // Multiplies by 2^shift (shift <= kMaxShift): the digits are written 19 places further right,
  // from the last one, then moved down over the places the carry did not fill.
  void LeftShift(int shift) {
    if (count == 0) return;
    constexpr int kRoom = 19;
    int write = count - 1 + kRoom;
    uint64_t n = 0;
    for (int read = count - 1; read >= 0; --read, --write) {
      n += uint64_t{d[read]} << shift;
      const uint64_t quotient = n / 10;
      d[write] = static_cast<uint8_t>(n - 10 * quotient);
      n = quotient;
    }
    for (; n > 0; --write) {
      const uint64_t quotient = n / 10;
      d[write] = static_cast<uint8_t>(n - 10 * quotient);
      n = quotient;
    }
    const int first = write + 1;
    const int added = kRoom - first;  // digits before the old first one
    int new_count = count + added;
    std::memmove(d, d + first, static_cast<size_t>(new_count));
    if (new_count > kMaxDigits) {
      for (int i = kMaxDigits; i < new_count; ++i) truncated |= d[i] != 0;
      new_count = kMaxDigits;
    }
    count = new_count;
    point += added;
    Trim();
  }

  // The integer part, rounded half to even (the dropped digits count through `truncated`).
  uint64_t Rounded() const {
    if (count == 0 || point < 0) return 0;
    if (point > 18) return std::numeric_limits<uint64_t>::max();
    uint64_t n = 0;
    for (int i = 0; i < point; ++i) n = 10 * n + (i < count ? d[i] : 0);
    bool up = false;
    if (point < count) {
      up = d[point] >= 5;
      if (d[point] == 5 && point + 1 == count) up = truncated || (point > 0 && (d[point - 1] & 1));
    }
    return n + (up ? 1 : 0);
  }
};

double FromBits(uint64_t bits) {
  double value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

// The double nearest to `decimal` (positive), or infinity; `decimal` is consumed.
double Convert(Decimal& decimal) {
  constexpr uint64_t kInfinity = uint64_t{kInfinitePower} << kMantissaBits;
  if (decimal.count == 0 || decimal.point < -324) return 0;
  if (decimal.point >= 310) return FromBits(kInfinity);
  // Bits per shift that move the decimal point by n places, for n < 19.
  static constexpr uint8_t kPowers[19] = {0,  3,  6,  9,  13, 16, 19, 23, 26, 29,
                                          33, 36, 39, 43, 46, 49, 53, 56, 59};
  int exp2 = 0;
  while (decimal.point > 0) {
    const int n = decimal.point;
    const int shift = n < 19 ? kPowers[n] : kMaxShift;
    decimal.RightShift(shift);
    if (decimal.count == 0) return 0;
    exp2 += shift;
  }
  // Toward [1/2, 1).
  while (decimal.point <= 0) {
    int shift;
    if (decimal.point == 0) {
      if (decimal.d[0] >= 5) break;
      shift = decimal.d[0] < 2 ? 2 : 1;
    } else {
      const int n = -decimal.point;
      shift = n < 19 ? kPowers[n] : kMaxShift;
    }
    decimal.LeftShift(shift);
    if (decimal.point > kDecimalPointRange) return FromBits(kInfinity);
    exp2 -= shift;
  }
  // [1/2, 1) -> [1, 2); below the smallest normal exponent the value becomes subnormal.
  --exp2;
  while (kMinimumExponent + 1 > exp2) {
    int n = (kMinimumExponent + 1) - exp2;
    if (n > kMaxShift) n = kMaxShift;
    decimal.RightShift(n);
    exp2 += n;
  }
  if (exp2 - kMinimumExponent >= kInfinitePower) return FromBits(kInfinity);
  decimal.LeftShift(kMantissaBits + 1);
  uint64_t mantissa = decimal.Rounded();
  if (mantissa >= uint64_t{1} << (kMantissaBits + 1)) {  // rounding carried into a new bit
    decimal.RightShift(1);
    ++exp2;
    mantissa = decimal.Rounded();
    if (exp2 - kMinimumExponent >= kInfinitePower) return FromBits(kInfinity);
  }
  int power2 = exp2 - kMinimumExponent;
  if (mantissa < uint64_t{1} << kMantissaBits) --power2;  // subnormal
  mantissa &= (uint64_t{1} << kMantissaBits) - 1;
  return FromBits(mantissa | static_cast<uint64_t>(power2) << kMantissaBits);
}

// 10^0 .. 10^22: every one exact as a double (Clinger's fast path).
constexpr double kExactPowers[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                   1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Whether `p` starts with `word` (lower case), in any case.
bool StartsWithWord(const char* p, const char* word) {
  for (; *word != '\0'; ++p, ++word) {
    if (Lower(*p) != *word) return false;
  }
  return true;
}

bool IsSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

DecimalToDoubleResult DecimalToDouble(const char* text) {
  DecimalToDoubleResult result{.end = text};
  const char* p = text;
  while (IsSpace(*p)) ++p;
  const bool negative = *p == '-';
  if (*p == '-' || *p == '+') ++p;
  const auto sign = [negative](double v) { return negative ? -v : v; };

  if (StartsWithWord(p, "inf")) {
    p += StartsWithWord(p, "infinity") ? 8 : 3;
    result.value = sign(std::numeric_limits<double>::infinity());
    result.end = p;
    return result;
  }
  if (StartsWithWord(p, "nan")) {
    p += 3;
    if (*p == '(') {  // nan(n-char-sequence): taken only when closed
      const char* q = p + 1;
      while (IsDigit(*q) || (Lower(*q) >= 'a' && Lower(*q) <= 'z') || *q == '_') ++q;
      if (*q == ')') p = q + 1;
    }
    result.value = sign(std::numeric_limits<double>::quiet_NaN());
    result.end = p;
    return result;
  }

  Decimal decimal;
  bool any_digit = false, seen_point = false;
  uint64_t mantissa = 0;  // the first 19 significant digits, for the fast path
  int mantissa_digits = 0;
  for (;; ++p) {
    if (*p == '.' && !seen_point) {
      seen_point = true;
      continue;
    }
    if (!IsDigit(*p)) break;
    any_digit = true;
    const uint8_t digit = static_cast<uint8_t>(*p - '0');
    if (decimal.count == 0 && digit == 0) {  // a leading zero
      if (seen_point) --decimal.point;
      continue;
    }
    if (!seen_point) ++decimal.point;
    if (decimal.count < kMaxDigits) {
      decimal.d[decimal.count++] = digit;
    } else if (digit != 0) {
      decimal.truncated = true;
    }
    if (mantissa_digits < 19) {
      mantissa = mantissa * 10 + digit;
      ++mantissa_digits;
    }
  }
  if (!any_digit) return result;  // no number: end stays at `text`
  if (Lower(*p) == 'e') {
    const char* q = p + 1;
    const bool negative_exponent = *q == '-';
    if (*q == '-' || *q == '+') ++q;
    if (IsDigit(*q)) {
      int exponent = 0;
      for (; IsDigit(*q); ++q) {
        if (exponent < 100000) exponent = exponent * 10 + (*q - '0');  // saturates: 0 or inf
      }
      decimal.point += negative_exponent ? -exponent : exponent;
      p = q;
    }
  }
  result.end = p;
  const int significant = decimal.count;
  decimal.Trim();
  if (decimal.count == 0) {
    result.value = sign(0.0);
    return result;
  }
  // Clinger: an integer below 2^53 times or divided by an exact power of ten rounds once.
  const int exponent10 = decimal.point - significant;  // value = mantissa x 10^exponent10
  if (!decimal.truncated && significant <= 19 && mantissa <= (uint64_t{1} << 53) &&
      exponent10 >= -22 && exponent10 <= 22) {
    const double m = static_cast<double>(mantissa);
    result.value =
        sign(exponent10 < 0 ? m / kExactPowers[-exponent10] : m * kExactPowers[exponent10]);
    return result;
  }
  const double value = Convert(decimal);
  result.out_of_range = value == 0 || value == std::numeric_limits<double>::infinity();
  result.value = sign(value);
  return result;
}

}  // namespace llmstream::wasm
