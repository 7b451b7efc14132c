// EqualBytes: equality of two byte ranges, for the chunk-template shortcut's literals (tens to
// hundreds of bytes, json/chunk_template.h) and the short names beside them (an event type).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__SSE2__) && !defined(__EMSCRIPTEN__)
#include <emmintrin.h>
#elif defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif

namespace llmstream::common {

// In wasm, libc's memcmp goes byte by byte (12% of the wasm core's time in bench-js), so there
// ranges are compared 16 bytes at a time with SIMD128 (8 with SWAR in a build without it).
// Natively glibc's vectorised memcmp measured faster than such a loop for long ranges; up to 64
// bytes (a Bedrock template's literals, an event type) up to four overlapping loads per side are
// compared inline instead: the call and its size dispatch were most of memcmp's cost there.
inline __attribute__((always_inline)) bool EqualBytes(const char* a, const char* b, size_t size) {
#ifndef __EMSCRIPTEN__
  const auto load64 = [](const char* p) {
    uint64_t v;
    std::memcpy(&v, p, sizeof(v));
    return v;
  };
  const auto load32 = [](const char* p) {
    uint32_t v;
    std::memcpy(&v, p, sizeof(v));
    return v;
  };
#ifdef __SSE2__
  if (size > 64) return std::memcmp(a, b, size) == 0;
  if (size >= 16) {
    const auto same = [&](size_t at) {
      return _mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a + at)),
                            _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + at)));
    };
    __m128i all = _mm_and_si128(same(0), same(size - 16));
    if (size > 32) all = _mm_and_si128(all, _mm_and_si128(same(16), same(size - 32)));
    return _mm_movemask_epi8(all) == 0xFFFF;
  }
#else
  if (size > 32) return std::memcmp(a, b, size) == 0;
#endif
  if (size >= 8) {
    // (Without SSE2, 16..32 bytes: four words.)
    uint64_t diff = (load64(a) ^ load64(b)) | (load64(a + size - 8) ^ load64(b + size - 8));
    if (size > 16) {
      diff |= (load64(a + 8) ^ load64(b + 8)) | (load64(a + size - 16) ^ load64(b + size - 16));
    }
    return diff == 0;
  }
  if (size >= 4) {
    return ((load32(a) ^ load32(b)) | (load32(a + size - 4) ^ load32(b + size - 4))) == 0;
  }
  // 1-3 bytes (a template's `"}`): first, middle and last, which cover them all, in place of a
  // loop with a branch per byte.
  if (size == 0) return true;
  return ((a[0] ^ b[0]) | (a[size / 2] ^ b[size / 2]) | (a[size - 1] ^ b[size - 1])) == 0;
#else
#ifdef __wasm_simd128__
  if (size >= 16) {
    // Whole blocks, then the last 16 bytes again (overlapping): no byte loop for the tail.
    const char* const a_last = a + size - 16;
    const char* const b_last = b + size - 16;
    // Differences are ORed together and tested once: a template nearly always matches, so an
    // early exit would only add a branch per block.
    v128_t diff = wasm_v128_xor(wasm_v128_load(a_last), wasm_v128_load(b_last));
    for (; a < a_last; a += 16, b += 16) {
      diff = wasm_v128_or(diff, wasm_v128_xor(wasm_v128_load(a), wasm_v128_load(b)));
    }
    return !wasm_v128_any_true(diff);
  }
#endif
  while (size >= 8) {
    uint64_t x, y;
    std::memcpy(&x, a, 8);
    std::memcpy(&y, b, 8);
    if (x != y) return false;
    a += 8;
    b += 8;
    size -= 8;
  }
  while (size > 0) {
    if (*a++ != *b++) return false;
    --size;
  }
  return true;
#endif
}

inline bool EqualBytes(std::string_view a, std::string_view b) {
  return a.size() == b.size() && EqualBytes(a.data(), b.data(), a.size());
}

}  // namespace llmstream::common
