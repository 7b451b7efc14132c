// UTF-8 helpers shared by the transforms (internal). Boundaries, not validation: a byte that
// cannot start or continue a well-formed sequence counts as one unit of its own, so every input
// (valid or not) splits into units, and where a unit ends never depends on how the text was
// chunked, except for an incomplete sequence at the very end (it may still be completed).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace llmstream::transforms_internal {

inline bool IsContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// The length a lead byte announces: 1 for ASCII and for bytes that cannot lead (continuation
// bytes, 0xC0, 0xC1, 0xF5..0xFF), else 2..4.
inline size_t Utf8LeadLength(unsigned char c) {
  if (c < 0xC2) return 1;
  if (c < 0xE0) return 2;
  if (c < 0xF0) return 3;
  if (c < 0xF5) return 4;
  return 1;
}

// The length of the unit starting at `pos` (< text.size()): the announced length when every
// continuation byte is there, a shorter length when a byte that is not a continuation cuts the
// sequence (an invalid unit), and 0 when the text ends before the sequence could complete.
inline size_t Utf8UnitLength(std::string_view text, size_t pos) {
  const size_t want = Utf8LeadLength(static_cast<unsigned char>(text[pos]));
  size_t n = 1;
  while (n < want) {
    if (pos + n >= text.size()) return 0;
    if (!IsContinuation(static_cast<unsigned char>(text[pos + n]))) return n;
    ++n;
  }
  return n;
}

// The length of the longest prefix that ends on a unit boundary: all of `text` unless it ends
// with an incomplete (still completable) sequence, which is left out (at most 3 bytes).
inline size_t Utf8CompletePrefix(std::string_view text) {
  const size_t size = text.size();
  size_t p = size;
  for (int back = 0; back < 3 && p > 0; ++back) {
    --p;
    const auto c = static_cast<unsigned char>(text[p]);
    if (!IsContinuation(c)) {
      return Utf8LeadLength(c) > size - p ? p : size;
    }
  }
  return size;
}

// Decodes the unit at `pos` of length `len` (from Utf8UnitLength): its code point, or
// 0xFFFD for an invalid unit.
inline uint32_t Utf8Decode(std::string_view text, size_t pos, size_t len) {
  const auto c0 = static_cast<unsigned char>(text[pos]);
  if (len == 1) return c0 < 0x80 ? c0 : 0xFFFD;
  if (Utf8LeadLength(c0) != len) return 0xFFFD;
  uint32_t cp = c0 & (0x7F >> len);
  for (size_t i = 1; i < len; ++i)
    cp = (cp << 6) | (static_cast<unsigned char>(text[pos + i]) & 0x3F);
  return cp;
}

// Units (code points, invalid bytes counted one by one) in `text`, an incomplete tail included.
inline size_t Utf8CountUnits(std::string_view text) {
  size_t count = 0;
  for (size_t pos = 0; pos < text.size();) {
    const size_t len = Utf8UnitLength(text, pos);
    pos += len == 0 ? text.size() - pos : len;
    ++count;
  }
  return count;
}

// White_Space code points that separate words (the non-breaking ones, U+00A0, U+2007 and
// U+202F, do not).
inline bool IsWordSpace(uint32_t cp) {
  if (cp < 0x80) return cp == ' ' || (cp >= '\t' && cp <= '\r');
  return cp == 0x85 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A && cp != 0x2007) ||
         cp == 0x2028 || cp == 0x2029 || cp == 0x205F || cp == 0x3000;
}

// Scripts written without spaces between words, where each character is a word of its own for
// word streaming: CJK ideographs, kana, CJK punctuation and fullwidth forms (Hangul is written
// with spaces, so it is not here).
inline bool IsCjkWordChar(uint32_t cp) {
  return (cp >= 0x3001 && cp <= 0x303F) || (cp >= 0x3040 && cp <= 0x30FF) ||
         (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFF01 && cp <= 0xFF60) ||
         (cp >= 0x20000 && cp <= 0x3FFFF);
}

}  // namespace llmstream::transforms_internal
