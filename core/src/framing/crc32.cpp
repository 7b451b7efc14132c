#include "framing/crc32.h"

#include <array>
#include <cstring>

#if defined(__x86_64__) && !defined(__EMSCRIPTEN__)
#include <immintrin.h>
#define LLMSTREAM_CRC32_CLMUL 1
#endif

namespace llmstream::framing {
namespace {

// Slicing-by-8 tables (t[0] is the byte-at-a-time table; t[k][i] is the CRC of byte i followed
// by k zero bytes), built on first use rather than stored: 8 KiB of pseudo-random constants
// would cost the wasm module as much gzipped, the loops that build them a few bytes.
struct Tables {
  std::array<std::array<uint32_t, 256>, 8> t;
  Tables() {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int bit = 0; bit < 8; ++bit) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
      t[0][i] = c;
    }
    for (size_t k = 1; k < t.size(); ++k) {
      for (uint32_t i = 0; i < 256; ++i) t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xFFu];
    }
  }
};

// Little-endian whatever the machine's order (compilers fold it to one load where they can).
uint32_t Load32(const unsigned char* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}

// The portable path (and the tail of the folding one): eight bytes per step. `crc` is the
// register (inverted) form. Not inlined: Crc32 stays a dispatcher whose folding calls are tail
// calls.
__attribute__((noinline)) uint32_t SliceBy8(uint32_t crc, const unsigned char* p, size_t n) {
  static const Tables tables;
  const auto& t = tables.t;
  for (; n >= 8; n -= 8, p += 8) {
    const uint32_t lo = Load32(p) ^ crc;
    const uint32_t hi = Load32(p + 4);
    crc = t[7][lo & 0xFFu] ^ t[6][(lo >> 8) & 0xFFu] ^ t[5][(lo >> 16) & 0xFFu] ^ t[4][lo >> 24] ^
          t[3][hi & 0xFFu] ^ t[2][(hi >> 8) & 0xFFu] ^ t[1][(hi >> 16) & 0xFFu] ^ t[0][hi >> 24];
  }
  for (; n > 0; --n, ++p) crc = t[0][(crc ^ *p) & 0xFFu] ^ (crc >> 8);
  return crc;
}

#ifdef LLMSTREAM_CRC32_CLMUL
#define LLMSTREAM_CLMUL_TARGET __attribute__((target("pclmul,sse4.1")))

LLMSTREAM_CLMUL_TARGET inline __m128i Load(const unsigned char* at) {
  return _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
}

// `a` carried 64*k bits further and added to `b`: both halves times their constants.
LLMSTREAM_CLMUL_TARGET inline __m128i FoldOnto(__m128i a, __m128i k, __m128i b) {
  return _mm_xor_si128(
      _mm_xor_si128(_mm_clmulepi64_si128(a, k, 0x00), _mm_clmulepi64_si128(a, k, 0x11)), b);
}

// 96 -> 64 bits: the low 32 bits of `x` carried on by k5.
LLMSTREAM_CLMUL_TARGET inline __m128i To64(__m128i x, __m128i k5) {
  const __m128i low32 = _mm_setr_epi32(~0, 0, ~0, 0);
  return _mm_xor_si128(_mm_srli_si128(x, 4),
                       _mm_clmulepi64_si128(_mm_and_si128(x, low32), k5, 0x00));
}

// 64 -> 32 bits by Barrett reduction: the CRC register.
LLMSTREAM_CLMUL_TARGET inline uint32_t Reduce64(__m128i x) {
  const __m128i poly = _mm_set_epi64x(0x01f7011641, 0x01db710641);  // mu, P
  const __m128i low32 = _mm_setr_epi32(~0, 0, ~0, 0);
  __m128i quotient = _mm_clmulepi64_si128(_mm_and_si128(x, low32), poly, 0x10);
  quotient = _mm_clmulepi64_si128(_mm_and_si128(quotient, low32), poly, 0x00);
  return static_cast<uint32_t>(_mm_extract_epi32(_mm_xor_si128(x, quotient), 1));
}

// Folding with carry-less multiplication (Gopal et al., "Fast CRC Computation for Generic
// Polynomials Using PCLMULQDQ Instruction", Intel 2009; the bit-reflected constants of the Linux
// kernel's crc32-pclmul and zlib-chromium's crc32_simd): four 16-byte lanes folded 64 bytes per
// step, then into one lane, then Barrett-reduced to 32 bits. The slicing-by-8 walk takes ~1.2
// cycles per byte on a dependent chain of table loads, which made the CRC Bedrock's largest
// per-token cost; this is ~0.1. `n` >= 16, any length: a last partial block is folded too (see
// below), so a Bedrock message (~170 bytes) never falls back to the table walk for its tail.
// `crc` and the result in Crc32's (not the register's) form: the inversions are done here, so
// that Crc32's calls are tail calls (its frame and the inversions around the call were ~20
// instructions a call, two calls per Bedrock message).
LLMSTREAM_CLMUL_TARGET uint32_t Fold(uint32_t crc, const unsigned char* p, size_t n) {
  crc = ~crc;
  const __m128i k1k2 = _mm_set_epi64x(0x01c6e41596, 0x0154442bd4);
  const __m128i k3k4 = _mm_set_epi64x(0x00ccaa009e, 0x01751997d0);
  const __m128i k5 = _mm_set_epi64x(0, 0x0163cd6124);
  const unsigned char* const end = p + n;
  __m128i x1 = _mm_xor_si128(Load(p), _mm_cvtsi32_si128(static_cast<int>(crc)));
  if (n >= 64) {
    __m128i x2 = Load(p + 16);
    __m128i x3 = Load(p + 32);
    __m128i x4 = Load(p + 48);
    p += 64;
    n -= 64;
    for (; n >= 64; n -= 64, p += 64) {
      x1 = FoldOnto(x1, k1k2, Load(p));
      x2 = FoldOnto(x2, k1k2, Load(p + 16));
      x3 = FoldOnto(x3, k1k2, Load(p + 32));
      x4 = FoldOnto(x4, k1k2, Load(p + 48));
    }
    x1 = FoldOnto(x1, k3k4, x2);
    x1 = FoldOnto(x1, k3k4, x3);
    x1 = FoldOnto(x1, k3k4, x4);
  } else {
    p += 16;
    n -= 16;
  }
  for (; n >= 16; n -= 16, p += 16) x1 = FoldOnto(x1, k3k4, Load(p));
  if (n > 0) {
    // r = n < 16 bytes are left. The register's first r bytes (the highest terms) become a lane
    // of their own, zero-extended at the front, which is folded onto the 16 bytes that follow
    // them: the register's other 16 - r bytes, then the r new ones (the last 16 bytes of the
    // input, loaded overlapping, hold them in their top r lanes).
    alignas(16) static constexpr unsigned char kShifts[48] = {
        0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
        0x80, 0x80, 0x80, 0x80, 0,    1,    2,    3,    4,    5,    6,    7,
        8,    9,    10,   11,   12,   13,   14,   15,   0x80, 0x80, 0x80, 0x80,
        0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80};
    const __m128i to_top = Load(kShifts + n);          // byte j <- j + n - 16, zero below 16 - n
    const __m128i to_bottom = Load(kShifts + 16 + n);  // byte j <- j + n, zero from 16 - n
    const __m128i head = _mm_shuffle_epi8(x1, to_top);
    // to_top's zeroing lanes (0x80) are exactly those the register's rest fills.
    const __m128i next = _mm_blendv_epi8(Load(end - 16), _mm_shuffle_epi8(x1, to_bottom), to_top);
    x1 = FoldOnto(head, k3k4, next);
  }

  // 128 -> 96 bits, then 64, then 32.
  x1 = _mm_xor_si128(_mm_srli_si128(x1, 8), _mm_clmulepi64_si128(x1, k3k4, 0x10));
  return ~Reduce64(To64(x1, k5));
}

// Exactly 8 bytes (an event-stream prelude): the 96 -> 64 step and the Barrett reduction of
// Fold's end, three dependent multiplications where the table walk took eight loads, an XOR tree
// and a call. `crc` and the result as for Fold.
LLMSTREAM_CLMUL_TARGET uint32_t Fold8(uint32_t crc, const unsigned char* p) {
  crc = ~crc;
  const __m128i k5 = _mm_set_epi64x(0, 0x0163cd6124);
  uint64_t word;
  std::memcpy(&word, p, sizeof(word));  // (x86-64: little-endian)
  const __m128i x = _mm_cvtsi64_si128(static_cast<long long>(word ^ crc));
  return ~Reduce64(To64(x, k5));
}

// Checked once, at load time: x86-64 guarantees only SSE2, and the library is built for the
// baseline. A plain flag rather than a function-local static: the static's guard made Crc32 set
// up a frame around what are otherwise tail calls. (Should a CRC be taken during another
// translation unit's static initialisation, before this flag is set, it reads false and the
// table walk gives the same result.)
bool DetectClmul() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
}
const bool kHasClmul = DetectClmul();
#endif

}  // namespace

uint32_t Crc32(uint32_t crc, std::string_view bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t n = bytes.size();
#ifdef LLMSTREAM_CRC32_CLMUL
  if (n >= 16 && kHasClmul) return Fold(crc, p, n);
  if (n == 8 && kHasClmul) return Fold8(crc, p);
#endif
  return ~SliceBy8(~crc, p, n);
}

uint32_t Crc32Portable(uint32_t crc, std::string_view bytes) {
  return ~SliceBy8(~crc, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

}  // namespace llmstream::framing
