#include "framing/json_array_framer.h"

#include <bit>
#include <cstdint>

#if defined(__SSE2__)
#include <emmintrin.h>
#elif defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif

#include "json/escape.h"

namespace llmstream::framing {
namespace {

constexpr char kMessage[] = "message";

bool IsWhitespace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// The first '"', '{', '}', '[' or ']' in [p, end), or end: outside strings nothing else changes
// the scan, and pretty-printed elements (Gemini's) are mostly indentation there. c | 0x20 maps
// '[' and ']' onto '{' and '}' and no other byte onto them.
const char* FindStructural(const char* p, const char* end) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i open = _mm_set1_epi8('{');
  const __m128i close = _mm_set1_epi8('}');
  const __m128i case_bit = _mm_set1_epi8(0x20);
  while (end - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i folded = _mm_or_si128(v, case_bit);
    const __m128i hits =
        _mm_or_si128(_mm_cmpeq_epi8(v, quote),
                     _mm_or_si128(_mm_cmpeq_epi8(folded, open), _mm_cmpeq_epi8(folded, close)));
    const uint32_t mask = static_cast<uint32_t>(_mm_movemask_epi8(hits));
    if (mask != 0) return p + std::countr_zero(mask);
    p += 16;
  }
#elif defined(__wasm_simd128__)
  const v128_t quote = wasm_i8x16_splat('"');
  const v128_t open = wasm_i8x16_splat('{');
  const v128_t close = wasm_i8x16_splat('}');
  const v128_t case_bit = wasm_i8x16_splat(0x20);
  while (end - p >= 16) {
    const v128_t v = wasm_v128_load(p);
    const v128_t folded = wasm_v128_or(v, case_bit);
    const v128_t hits =
        wasm_v128_or(wasm_i8x16_eq(v, quote),
                     wasm_v128_or(wasm_i8x16_eq(folded, open), wasm_i8x16_eq(folded, close)));
    const uint32_t mask = static_cast<uint32_t>(wasm_i8x16_bitmask(hits));
    if (mask != 0) return p + std::countr_zero(mask);
    p += 16;
  }
#endif
  for (; p < end; ++p) {
    const char folded = static_cast<char>(*p | 0x20);
    if (*p == '"' || folded == '{' || folded == '}') break;
  }
  return p;
}

}  // namespace

bool JsonArrayFramer::Feed(std::string_view bytes) {
  if (!Accept(bytes)) return false;
  const size_t limit = limits().max_frame_bytes;
  const char* p = bytes.data();
  const char* const end = p + bytes.size();
  while (p < end) {
    if (state_ == State::kElement) {
      const char* const start = p;
      const char* const close = ScanElement(p, end);
      const char* const stop = close ? close : end;
      const std::string_view piece(start, static_cast<size_t>(stop - start));
      if (held_.size() + piece.size() > limit) return FailTooLarge("JSON array element");
      if (close == nullptr) {
        AppendBounded(&held_, piece, limit);
        break;
      }
      if (held_.empty()) {
        if (!Deliver(kMessage, piece, {})) return false;  // inside this read: no copy
      } else {
        AppendBounded(&held_, piece, limit);
        if (!Deliver(kMessage, held_, {})) return false;
        held_.clear();
      }
      state_ = State::kAfterElement;
      p = close;
      continue;
    }
    const char c = *p;
    if (IsWhitespace(c)) {
      ++p;
      continue;
    }
    switch (state_) {
      case State::kStart:
        if (c != '[') return Unexpected(c);
        state_ = State::kFirst;
        ++p;
        continue;
      case State::kFirst:
      case State::kNext:
        if (c == ']' && state_ == State::kFirst) {
          state_ = State::kDone;
          ++p;
          continue;
        }
        if (c != '{' && c != '[') return Unexpected(c);
        state_ = State::kElement;  // the scan counts this bracket
        depth_ = 0;
        in_string_ = escaped_ = false;
        continue;
      case State::kAfterElement:
        if (c == ',') {
          state_ = State::kNext;
        } else if (c == ']') {
          state_ = State::kDone;
        } else {
          return Unexpected(c);
        }
        ++p;
        continue;
      case State::kDone:
      case State::kElement:
        return Unexpected(c);
    }
  }
  return true;
}

const char* JsonArrayFramer::ScanElement(const char* p, const char* end) {
  while (p < end) {
    if (in_string_) {
      if (escaped_) {
        escaped_ = false;
        ++p;
        continue;
      }
      // String bodies are most of an element: skipped 16 bytes at a time to the next '"', '\\'
      // or control byte (a control byte is the dialect's parser's to refuse, not the framer's).
      p = json::internal::FindStringSpecial(p, end);
      if (p == end) break;
      const char c = *p++;
      if (c == '\\') {
        escaped_ = true;
      } else if (c == '"') {
        in_string_ = false;
      }
      continue;
    }
    p = FindStructural(p, end);
    if (p == end) break;
    const char c = *p++;
    if (c == '"') {
      in_string_ = true;
    } else if (c == '{' || c == '[') {
      ++depth_;
    } else if ((c == '}' || c == ']') && --depth_ == 0) {
      return p;
    }
  }
  return nullptr;
}

bool JsonArrayFramer::Unexpected(char c) {
  static constexpr const char* kWhere[] = {
      "before the array's [", "after [", "in an element",
      "after an element",     "after ,", "after the array's ]"};
  std::string shown = c >= 0x20 && c < 0x7F ? std::string(1, c) : "\\x" + [&] {
    static constexpr char kHex[] = "0123456789abcdef";
    const unsigned u = static_cast<unsigned char>(c);
    return std::string{kHex[u >> 4], kHex[u & 15]};
  }();
  return Fail(ErrorCode::kBadFrame, "streamed JSON array: unexpected '" + shown + "' " +
                                        kWhere[static_cast<int>(state_)]);
}

FramingEnd JsonArrayFramer::Finish() {
  FramingEnd end;
  if (failed()) return end;
  end.partial_payload = state_ == State::kElement;
  end.unclosed = state_ != State::kDone;
  held_.clear();
  state_ = State::kStart;
  return end;
}

void JsonArrayFramer::Reset() {
  held_.clear();
  state_ = State::kStart;
  depth_ = 0;
  in_string_ = escaped_ = false;
  ResetBase();
}

}  // namespace llmstream::framing
