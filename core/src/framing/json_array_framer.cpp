#include "framing/json_array_framer.h"

#include <bit>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__) && !defined(__EMSCRIPTEN__)
#include <immintrin.h>
#elif defined(__SSE2__)
#include <emmintrin.h>
#elif defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif

#include "json/escape.h"

namespace llmstream::framing {
namespace {

// The parser's default type: Stream passes an event of that type on without copying its type.
constexpr std::string_view kMessage(kSseDefaultType, sizeof("message") - 1);

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

#if defined(__SSE2__) || defined(__wasm_simd128__)
#define LLMSTREAM_JSON_ARRAY_BLOCKS 1

// Bit i set when an odd number of bits 0..i are: with quote bits, the bytes inside strings
// (the opening quote counted in, the closing one out).
inline uint64_t PrefixXor(uint64_t x) {
  x ^= x << 1;
  x ^= x << 2;
  x ^= x << 4;
  x ^= x << 8;
  x ^= x << 16;
  x ^= x << 32;
  return x;
}

// The 64 bytes at `p` as bitmasks (JsonArrayFramer::Block). Opening and closing brackets share a
// mask (bit 1 of the byte tells them apart, read per bracket: a dozen per Gemini element), and
// the per-byte non-ASCII bits are only gathered for the blocks that have any: fewer movemasks.
template <typename Block>
inline __attribute__((always_inline)) Block Classify(const char* p) {
#if defined(__SSE2__)
  using V = __m128i;
  const auto load = [](const char* at) { return _mm_loadu_si128(reinterpret_cast<const V*>(at)); };
  const auto eq = [](V x, char c) { return _mm_cmpeq_epi8(x, _mm_set1_epi8(c)); };
  const auto either = [](V x, V y) { return _mm_or_si128(x, y); };
  const auto fold_case = [](V x) { return _mm_or_si128(x, _mm_set1_epi8(0x20)); };
  const auto bits = [](V x) {
    return static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(x)));
  };
#else
  using V = v128_t;
  const auto load = [](const char* at) { return wasm_v128_load(at); };
  const auto eq = [](V x, char c) { return wasm_i8x16_eq(x, wasm_i8x16_splat(c)); };
  const auto either = [](V x, V y) { return wasm_v128_or(x, y); };
  const auto fold_case = [](V x) { return wasm_v128_or(x, wasm_i8x16_splat(0x20)); };
  const auto bits = [](V x) { return static_cast<uint64_t>(wasm_i8x16_bitmask(x)); };
#endif
  const V v[4] = {load(p), load(p + 16), load(p + 32), load(p + 48)};
  Block b;
  uint64_t quote = 0;
  V backslash = eq(v[0], '\\');
  for (int lane = 0; lane < 4; ++lane) {
    const int shift = 16 * lane;
    // c | 0x20 maps '[' and ']' onto '{' and '}' and no other byte onto them.
    const V folded = fold_case(v[lane]);
    quote |= bits(eq(v[lane], '"')) << shift;
    b.bracket |= bits(either(eq(folded, '{'), eq(folded, '}'))) << shift;
    if (lane > 0) backslash = either(backslash, eq(v[lane], '\\'));
  }
  b.strings = PrefixXor(quote);
  b.backslash = bits(backslash) != 0;
  if (bits(either(either(v[0], v[1]), either(v[2], v[3]))) != 0) {
    b.non_ascii = bits(v[0]) | bits(v[1]) << 16 | bits(v[2]) << 32 | bits(v[3]) << 48;
  }
  return b;
}
#endif

#if defined(__x86_64__) && !defined(__EMSCRIPTEN__)
// x86-64 CPUs with AVX2 (all of them also have BMI1 and PCLMULQDQ) classify a block in two
// 32-byte halves and take the prefix XOR as one carry-less multiplication by all ones: about
// half the instructions of the SSE2 baseline, which is what the library is compiled for.
#define LLMSTREAM_JSON_ARRAY_AVX2 1
#define LLMSTREAM_AVX2_TARGET __attribute__((target("avx2,bmi,pclmul")))

LLMSTREAM_AVX2_TARGET inline __attribute__((always_inline)) uint64_t Bits(__m256i lo, __m256i hi) {
  return static_cast<uint64_t>(static_cast<uint32_t>(_mm256_movemask_epi8(lo))) |
         static_cast<uint64_t>(static_cast<uint32_t>(_mm256_movemask_epi8(hi))) << 32;
}

LLMSTREAM_AVX2_TARGET inline __attribute__((always_inline)) __m256i Eq(__m256i x, char c) {
  return _mm256_cmpeq_epi8(x, _mm256_set1_epi8(c));
}

template <typename Block>
LLMSTREAM_AVX2_TARGET inline __attribute__((always_inline)) Block ClassifyAvx2(const char* p) {
  const __m256i lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  const __m256i hi = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32));
  const __m256i case_bit = _mm256_set1_epi8(0x20);
  const __m256i folded_lo = _mm256_or_si256(lo, case_bit);
  const __m256i folded_hi = _mm256_or_si256(hi, case_bit);
  Block b;
  const uint64_t quote = Bits(Eq(lo, '"'), Eq(hi, '"'));
  b.strings = static_cast<uint64_t>(_mm_cvtsi128_si64(_mm_clmulepi64_si128(
      _mm_cvtsi64_si128(static_cast<long long>(quote)), _mm_set1_epi8(-1), 0)));
  b.bracket = Bits(_mm256_or_si256(Eq(folded_lo, '{'), Eq(folded_lo, '}')),
                   _mm256_or_si256(Eq(folded_hi, '{'), Eq(folded_hi, '}')));
  b.backslash = _mm256_movemask_epi8(_mm256_or_si256(Eq(lo, '\\'), Eq(hi, '\\'))) != 0;
  b.non_ascii = Bits(lo, hi);
  return b;
}

bool HasAvx2() {
  static const bool has = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi") &&
           __builtin_cpu_supports("pclmul");
  }();
  return has;
}
#endif

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
      if (held_.empty()) {  // inside this read: no copy
        NonAscii non_ascii;
        if (non_ascii_known_) {
          non_ascii.begin = non_ascii_begin_ ? static_cast<size_t>(non_ascii_begin_ - start) : 0;
          non_ascii.end = non_ascii_begin_ ? static_cast<size_t>(non_ascii_end_ - start) : 0;
        }
        if (!Deliver(kMessage, piece, {}, non_ascii)) return false;
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
        if (shortcut() != nullptr) {
          // A template's match is a whole element (the template is one, and its holes are string
          // bodies: the same brackets outside strings) of valid UTF-8, as Deliver makes them.
          const size_t size = shortcut()->MatchPayload(
              kMessage, {}, std::string_view(p, static_cast<size_t>(end - p)),
              /*same_names=*/false);
          if (size != 0 && size <= limit) {
            shortcut()->TakePayload();
            state_ = State::kAfterElement;
            p += size;
            continue;
          }
        }
        state_ = State::kElement;  // the scan counts this bracket
        depth_ = 0;
        in_string_ = escaped_ = false;
        non_ascii_begin_ = non_ascii_end_ = nullptr;
        non_ascii_known_ = true;
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

bool JsonArrayFramer::use_avx2_ = true;

const char* JsonArrayFramer::ScanElement(const char* p, const char* end) {
#ifdef LLMSTREAM_JSON_ARRAY_BLOCKS
  const char* close = nullptr;
#ifdef LLMSTREAM_JSON_ARRAY_AVX2
  if (use_avx2_ && HasAvx2()) {
    close = ScanBlocksAvx2(&p, end);
  } else {
    close = ScanBlocks(&p, end);
  }
#else
  close = ScanBlocks(&p, end);
#endif
  if (close != nullptr || p == end) return close;
  // The last bytes of the read, padded with zero bytes, which are none of the bytes looked for:
  // the bits past the end are clear, and the string state at bit 63 is the one at the end.
  alignas(16) char tail[64] = {};
  std::memcpy(tail, p, static_cast<size_t>(end - p));
  const Block block = Classify<Block>(tail);
  if (!block.backslash && !escaped_) return ScanBlock(p, block);
#endif
  return ScanBytes(p, end);
}

#ifdef LLMSTREAM_JSON_ARRAY_BLOCKS
// Escapes are rare, so a block with a backslash (or after one) goes byte by byte rather than
// through simdjson's odd-backslash-run arithmetic, which would also treat a backslash outside
// strings differently from ScanBytes: the element boundaries stay those of the byte scan.
const char* JsonArrayFramer::ScanBlocks(const char** at, const char* end) {
  const char* p = *at;
  const char* close = nullptr;
  for (; close == nullptr && end - p >= 64; p += 64) {
    const Block block = Classify<Block>(p);
    close = !block.backslash && !escaped_ ? ScanBlock(p, block) : ScanBytes(p, p + 64);
  }
  *at = p;
  return close;
}
#endif

#ifdef LLMSTREAM_JSON_ARRAY_AVX2
// ScanBlocks with the AVX2 classification.
LLMSTREAM_AVX2_TARGET const char* JsonArrayFramer::ScanBlocksAvx2(const char** at,
                                                                  const char* end) {
  const char* p = *at;
  const char* close = nullptr;
  for (; close == nullptr && end - p >= 64; p += 64) {
    const Block block = ClassifyAvx2<Block>(p);
    close = !block.backslash && !escaped_ ? ScanBlock(p, block) : ScanBytes(p, p + 64);
  }
  *at = p;
  return close;
}
#endif

#ifdef LLMSTREAM_JSON_ARRAY_BLOCKS
inline __attribute__((always_inline)) const char* JsonArrayFramer::ScanBlock(const char* p,
                                                                             const Block& block) {
  const uint64_t in_string = block.strings ^ (in_string_ ? ~uint64_t{0} : 0);
  size_t depth = depth_;
  // Bracket by bracket (a dozen per Gemini element): x86-64's baseline has no popcnt to skip
  // the blocks where the depth cannot reach 0. '{' and '[' have bit 1 set, '}' and ']' not.
  for (uint64_t brackets = block.bracket & ~in_string; brackets != 0; brackets &= brackets - 1) {
    const int at = std::countr_zero(brackets);
    if ((p[at] & 2) != 0) {
      ++depth;
    } else if (--depth == 0) {
      depth_ = 0;
      in_string_ = false;
      NoteNonAscii(p, block.non_ascii & (~uint64_t{0} >> (63 - at)));
      return p + at + 1;
    }
  }
  depth_ = depth;
  in_string_ = (in_string >> 63) != 0;
  NoteNonAscii(p, block.non_ascii);
  return nullptr;
}

inline void JsonArrayFramer::NoteNonAscii(const char* p, uint64_t bits) {
  if (bits == 0) return;
  if (non_ascii_begin_ == nullptr) non_ascii_begin_ = p + std::countr_zero(bits);
  non_ascii_end_ = p + 64 - std::countl_zero(bits);
}
#endif

const char* JsonArrayFramer::ScanBytes(const char* p, const char* end) {
  non_ascii_known_ = false;
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
