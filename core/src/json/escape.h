// JSON string escaping and unescaping, plus the byte scanner they share with the Reader.
//
// Every provider payload is a handful of JSON strings, so finding the end of a string body is the
// innermost loop of the hot path. FindStringSpecial looks at 16 bytes per step (SSE2 on x86,
// SIMD128 on wasm built with -msimd128) or 8 bytes per step (SWAR) elsewhere; Unescape and
// AppendEscaped copy the runs between special bytes with memcpy/append instead of byte by byte.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#elif defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif

#include "json/arena.h"

namespace llmstream::json {

// Unescapes the body of a JSON string (the bytes between the quotes). Validates it the way a
// JSON parser must: only the escapes \" \\ \/ \b \f \n \r \t \uXXXX, surrogate escapes only as a
// high/low pair (a lone surrogate is rejected, as nlohmann::json 3.11 does), no raw '"' and no
// raw control byte (< 0x20). Other bytes are copied as they are (UTF-8 is not re-validated).
// On success *out is `escaped` itself when it holds no backslash (no copy), else a view into
// `arena`, valid until arena->Reset(). Returns false (and leaves *out alone) when invalid.
bool Unescape(std::string_view escaped, Arena* arena, std::string_view* out);

// Appends `utf8` to *out escaped as the body of a JSON string, WITHOUT the surrounding quotes:
// '"' and '\\' get a backslash, \b \f \n \r \t their short forms, other bytes < 0x20 become
// \u00XX (lowercase hex, like nlohmann::json's dump). All other bytes, including non-ASCII UTF-8
// and DEL, are copied unchanged; the caller guarantees valid UTF-8.
void AppendEscaped(std::string* out, std::string_view utf8);

// ---------------------------------------------------------------------------------------------
// Building blocks shared with reader.cpp and partial_json.cpp. Inline because they sit in the
// innermost loops.

namespace internal {

inline bool IsStringSpecial(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return u == '"' || u == '\\' || u < 0x20;
}

// Returns the first byte in [p, end) that is '"', '\\' or a control byte (< 0x20); end if none.
// Whole 16-byte blocks go through SIMD, the last < 16 bytes through a byte loop: never reads
// outside [p, end), and small enough to inline into the reader's fast paths. kAndNonAscii: bytes
// >= 0x80 are special too (for a caller that must validate UTF-8 only when there is some).
// `readable` (optional) starts bytes the caller may read, up to `end`: when 16 of them or more,
// the last < 16 bytes are one overlapping block instead of the byte loop (a Bedrock padding
// string ends a few bytes before its payload does: a loop there took a branch per byte).
template <bool kAndNonAscii = false>
inline const char* FindStringSpecial(const char* p, const char* end,
                                     const char* readable = nullptr) {
#if defined(__SSE2__)
  // Bit i: byte i of the 16 at `at` is special.
  const auto special = [](const char* at) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
    // min_epu8(v, 0x1F) == v exactly when v <= 0x1F (unsigned); a signed v < 0x20 also holds
    // for v >= 0x80.
    const __m128i low = kAndNonAscii ? _mm_cmplt_epi8(v, _mm_set1_epi8(0x20))
                                     : _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v);
    const __m128i hits = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
        low);
    return static_cast<uint32_t>(_mm_movemask_epi8(hits));
  };
  while (end - p >= 16) {
    const uint32_t mask = special(p);
    if (mask != 0) return p + std::countr_zero(mask);
    p += 16;
  }
  if (p < end && readable != nullptr && end - readable >= 16) {
    // The block ending at `end`, without the bytes before p.
    const uint32_t mask = special(end - 16) >> (16 - (end - p));
    return mask != 0 ? p + std::countr_zero(mask) : end;
  }
#elif defined(__wasm_simd128__)
  // (`readable` unused: the wasm core module's size budget is tight, and this path is native.)
  const v128_t quote = wasm_i8x16_splat('"');
  const v128_t backslash = wasm_i8x16_splat('\\');
  const v128_t space = wasm_i8x16_splat(0x20);
  while (end - p >= 16) {
    v128_t v = wasm_v128_load(p);
    const v128_t low = kAndNonAscii ? wasm_i8x16_lt(v, space) : wasm_u8x16_lt(v, space);
    v128_t hits =
        wasm_v128_or(wasm_v128_or(wasm_i8x16_eq(v, quote), wasm_i8x16_eq(v, backslash)), low);
    uint32_t mask = static_cast<uint32_t>(wasm_i8x16_bitmask(hits));
    if (mask != 0) return p + std::countr_zero(mask);
    p += 16;
  }
#else
  if constexpr (std::endian::native == std::endian::little) {
    // SWAR: flag bytes equal to '"' or '\\' or below 0x20. A borrow can only flag a byte above a
    // true hit, so the lowest flagged byte is always exact.
    constexpr uint64_t kOnes = 0x0101010101010101ULL;
    constexpr uint64_t kHighs = 0x8080808080808080ULL;
    while (end - p >= 8) {
      uint64_t x;
      std::memcpy(&x, p, 8);
      uint64_t q = x ^ (kOnes * '"');
      uint64_t b = x ^ (kOnes * '\\');
      uint64_t hits =
          (((q - kOnes) & ~q) | ((b - kOnes) & ~b) | ((x - kOnes * 0x20) & ~x)) & kHighs;
      if constexpr (kAndNonAscii) hits |= x & kHighs;
      if (hits != 0) return p + (std::countr_zero(hits) >> 3);
      p += 8;
    }
  }
#endif
  while (p < end && !IsStringSpecial(*p) &&
         !(kAndNonAscii && static_cast<unsigned char>(*p) >= 0x80)) {
    ++p;
  }
  return p;
}

// Value of each byte as a hex digit, or 0xFF.
struct HexTable {
  uint8_t value[256];
  constexpr HexTable() : value() {
    for (int i = 0; i < 256; ++i) value[i] = 0xFF;
    for (int i = 0; i < 10; ++i) value['0' + i] = static_cast<uint8_t>(i);
    for (int i = 0; i < 6; ++i) {
      value['a' + i] = static_cast<uint8_t>(10 + i);
      value['A' + i] = static_cast<uint8_t>(10 + i);
    }
  }
};
inline constexpr HexTable kHexTable;

// The code unit of the 4 hex digits at p, or -1 when one of them is not a hex digit.
inline int32_t DecodeHex4(const char* p) {
  const uint8_t* u = reinterpret_cast<const uint8_t*>(p);
  uint32_t a = kHexTable.value[u[0]], b = kHexTable.value[u[1]];
  uint32_t c = kHexTable.value[u[2]], d = kHexTable.value[u[3]];
  if ((a | b | c | d) & 0xF0) return -1;
  return static_cast<int32_t>((a << 12) | (b << 8) | (c << 4) | d);
}

// Checks the escape sequence starting at the backslash `p` (p < end) and decodes it. Returns the
// byte after the sequence, or nullptr when it is invalid (unknown escape, bad hex, truncated, or a
// surrogate that is not a high+low pair). A \u escape and a surrogate pair count as one sequence;
// *code_point receives the decoded code point (for short escapes, the byte it stands for).
inline const char* DecodeEscape(const char* p, const char* end, uint32_t* code_point) {
  if (end - p < 2) return nullptr;
  switch (p[1]) {
    case '"':
      *code_point = '"';
      return p + 2;
    case '\\':
      *code_point = '\\';
      return p + 2;
    case '/':
      *code_point = '/';
      return p + 2;
    case 'b':
      *code_point = '\b';
      return p + 2;
    case 'f':
      *code_point = '\f';
      return p + 2;
    case 'n':
      *code_point = '\n';
      return p + 2;
    case 'r':
      *code_point = '\r';
      return p + 2;
    case 't':
      *code_point = '\t';
      return p + 2;
    case 'u':
      break;
    default:
      return nullptr;
  }
  if (end - p < 6) return nullptr;
  int32_t unit = DecodeHex4(p + 2);
  if (unit < 0) return nullptr;
  if (unit < 0xD800 || unit > 0xDFFF) {
    *code_point = static_cast<uint32_t>(unit);
    return p + 6;
  }
  if (unit > 0xDBFF) return nullptr;  // a low surrogate without a high one before it
  if (end - p < 12 || p[6] != '\\' || p[7] != 'u') return nullptr;
  int32_t low = DecodeHex4(p + 8);
  if (low < 0xDC00 || low > 0xDFFF) return nullptr;
  *code_point = 0x10000 + ((static_cast<uint32_t>(unit) - 0xD800) << 10) +
                (static_cast<uint32_t>(low) - 0xDC00);
  return p + 12;
}

// Writes `code_point` as UTF-8 at out; returns the byte after it.
inline char* EncodeUtf8(uint32_t code_point, char* out) {
  if (code_point < 0x80) {
    *out++ = static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    *out++ = static_cast<char>(0xC0 | (code_point >> 6));
    *out++ = static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    *out++ = static_cast<char>(0xE0 | (code_point >> 12));
    *out++ = static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    *out++ = static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    *out++ = static_cast<char>(0xF0 | (code_point >> 18));
    *out++ = static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    *out++ = static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    *out++ = static_cast<char>(0x80 | (code_point & 0x3F));
  }
  return out;
}

// Unescapes [p, end) into `out`, which has room for end - p bytes (unescaping never grows).
// Returns the end of the output, or nullptr when the body is invalid (see Unescape).
char* UnescapeTo(const char* p, const char* end, char* out);

}  // namespace internal
}  // namespace llmstream::json
