#include "sse/utf8.h"

#include <bit>
#include <cstdint>
#include <cstring>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace llmstream::sse {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Index of the first byte >= 0x80 in p[i, n), or n.
inline size_t SkipAscii(const unsigned char* p, size_t i, size_t n) {
#ifdef __SSE2__
  while (i + 16 <= n) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    const unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(v));
    if (mask != 0) return i + static_cast<size_t>(std::countr_zero(mask));
    i += 16;
  }
#endif
  while (i + 8 <= n) {
    uint64_t word;
    std::memcpy(&word, p + i, sizeof(word));
    word &= 0x8080808080808080ull;
    if (word != 0) {
      if constexpr (std::endian::native == std::endian::little) {
        return i + static_cast<size_t>(std::countr_zero(word) >> 3);
      }
      break;
    }
    i += 8;
  }
  while (i < n && p[i] < 0x80) ++i;
  return i;
}

// Decodes the sequence at p[0] (p[0] >= 0x80, avail >= 1) following the WHATWG UTF-8 decoder's
// bounds. Returns its length when valid, else 0 with *bad set to the length of the maximal
// ill-formed subsequence (the bytes the decoder consumes before emitting one U+FFFD).
inline size_t MultiByteLength(const unsigned char* p, size_t avail, size_t* bad) {
  const unsigned char lead = p[0];
  size_t needed;
  unsigned char lower = 0x80;
  unsigned char upper = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    needed = 1;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    needed = 2;
    if (lead == 0xE0) lower = 0xA0;  // overlong
    if (lead == 0xED) upper = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    needed = 3;
    if (lead == 0xF0) lower = 0x90;  // overlong
    if (lead == 0xF4) upper = 0x8F;  // above U+10FFFF
  } else {
    *bad = 1;  // a continuation byte, C0, C1 or F5..FF
    return 0;
  }
  for (size_t k = 1; k <= needed; ++k) {
    if (k >= avail || p[k] < lower || p[k] > upper) {
      *bad = k;
      return 0;
    }
    lower = 0x80;
    upper = 0xBF;
  }
  return needed + 1;
}

}  // namespace

size_t ValidUtf8Prefix(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (true) {
    i = SkipAscii(p, i, n);
    if (i == n) return n;
    do {
      size_t bad;
      const size_t length = MultiByteLength(p + i, n - i, &bad);
      if (length == 0) return i;
      i += length;
    } while (i < n && p[i] >= 0x80);
  }
}

size_t RepairedUtf8Size(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  size_t size = 0;
  size_t i = 0;
  while (i < text.size()) {
    const size_t valid = ValidUtf8Prefix(text.substr(i));
    size += valid;
    i += valid;
    if (i == text.size()) break;
    size_t bad = 1;
    MultiByteLength(p + i, text.size() - i, &bad);
    size += kReplacement.size();
    i += bad;
  }
  return size;
}

void AppendRepairedUtf8(std::string_view text, std::string* out) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  size_t i = 0;
  while (i < text.size()) {
    const size_t valid = ValidUtf8Prefix(text.substr(i));
    out->append(text.data() + i, valid);
    i += valid;
    if (i == text.size()) break;
    size_t bad = 1;
    MultiByteLength(p + i, text.size() - i, &bad);
    out->append(kReplacement);
    i += bad;
  }
}

}  // namespace llmstream::sse
