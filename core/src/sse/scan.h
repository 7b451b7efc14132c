// The SSE parser's line scanner: one pass finds the next line terminator and notes whether the
// bytes before it were all ASCII, so ASCII lines (nearly all of them in LLM streams, which escape
// non-ASCII text in JSON or send little of it) need no separate UTF-8 validation pass. Also the
// field-name test shared with Stream's template shortcut.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace llmstream::sse {

#if defined(__GNUC__) || defined(__clang__)
#define LLMSTREAM_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define LLMSTREAM_ALWAYS_INLINE inline
#endif

// The N - 1 bytes at `p` (all readable) are `prefix`, a field name and its colon ("data:",
// "event:"). One load and compare instead of memcmp, which the wasm build calls out to (a byte
// loop in its -Oz libc) for every line.
template <size_t N>
LLMSTREAM_ALWAYS_INLINE bool StartsWithField(const char* p, const char (&prefix)[N]) {
  static_assert(N - 1 <= 8, "one 8-byte load");
  uint64_t have = 0;
  uint64_t want = 0;
  std::memcpy(&have, p, N - 1);
  std::memcpy(&want, prefix, N - 1);
  return have == want;
}

// Returns the first CR or LF in [p, end), or end. Sets *non_ascii when a byte >= 0x80 lies
// before that position (it is never cleared, so a line scanned in parts accumulates it).
LLMSTREAM_ALWAYS_INLINE const char* FindLineEnd(const char* p, const char* end, bool* non_ascii) {
#ifdef __SSE2__
  const __m128i lf = _mm_set1_epi8('\n');
  const __m128i cr = _mm_set1_epi8('\r');
  __m128i high = _mm_setzero_si128();  // OR of the blocks passed: their high bits
  // Two blocks a step while no terminator is in sight (a data line is hundreds of bytes): one
  // test and branch per 32 bytes; the block with the terminator is found by the loop below.
  while (end - p >= 32) {
    const __m128i v0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i v1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16));
    const __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v0, lf), _mm_cmpeq_epi8(v0, cr)),
                                     _mm_or_si128(_mm_cmpeq_epi8(v1, lf), _mm_cmpeq_epi8(v1, cr)));
    if (_mm_movemask_epi8(hit) != 0) break;
    high = _mm_or_si128(high, _mm_or_si128(v0, v1));
    p += 32;
  }
  while (end - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i hit = _mm_or_si128(_mm_cmpeq_epi8(v, lf), _mm_cmpeq_epi8(v, cr));
    const unsigned eol_mask = static_cast<unsigned>(_mm_movemask_epi8(hit));
    if (eol_mask != 0) {
      const unsigned before = (eol_mask & (0u - eol_mask)) - 1;  // bits below the first hit
      const unsigned high_mask = static_cast<unsigned>(_mm_movemask_epi8(v));
      if ((high_mask & before) != 0 || _mm_movemask_epi8(high) != 0) *non_ascii = true;
      return p + std::countr_zero(eol_mask);
    }
    high = _mm_or_si128(high, v);
    p += 16;
  }
  if (_mm_movemask_epi8(high) != 0) *non_ascii = true;
#endif
  if constexpr (std::endian::native == std::endian::little) {
    // SWAR fallback (wasm32, non-x86): 8 bytes per step. The "has zero byte" trick can flag
    // bytes above a true hit (borrow), never below one, so its lowest set bit is exact.
    constexpr uint64_t kOnes = 0x0101010101010101ull;
    constexpr uint64_t kHighs = 0x8080808080808080ull;
    while (end - p >= 8) {
      uint64_t word;
      std::memcpy(&word, p, sizeof(word));
      const uint64_t x = word ^ (kOnes * '\n');
      const uint64_t y = word ^ (kOnes * '\r');
      const uint64_t hits = (((x - kOnes) & ~x) | ((y - kOnes) & ~y)) & kHighs;
      if (hits != 0) {
        const int offset = std::countr_zero(hits) >> 3;
        const uint64_t before = (uint64_t{1} << (offset * 8)) - 1;
        if ((word & kHighs & before) != 0) *non_ascii = true;
        return p + offset;
      }
      if ((word & kHighs) != 0) *non_ascii = true;
      p += 8;
    }
  }
  for (; p < end; ++p) {
    const unsigned char c = static_cast<unsigned char>(*p);
    if (c == '\n' || c == '\r') return p;
    if (c >= 0x80) *non_ascii = true;
  }
  return end;
}

}  // namespace llmstream::sse
