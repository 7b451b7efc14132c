#include "json/chunk_template.h"

#include <cstdint>
#include <cstring>

#include "common/equal_bytes.h"
#include "json/escape.h"
#include "sse/utf8.h"

namespace llmstream::json {
namespace {

// Finds the closing quote of a string body starting at `p`. Returns nullptr when the body has a
// raw control byte or runs off the end. *escaped says whether a backslash was seen (the body then
// still needs validating by Unescape). kNoteNonAscii: *non_ascii says whether a byte >= 0x80 was
// seen (the body then needs a UTF-8 check); else *non_ascii is left alone. [readable, end) may
// be read (internal::FindStringSpecial).
template <bool kNoteNonAscii>
inline __attribute__((always_inline)) const char* FindClosingQuote(const char* p, const char* end,
                                                                   const char* readable,
                                                                   bool* escaped, bool* non_ascii) {
  bool watch = kNoteNonAscii;  // the first non-ASCII byte is enough to know
  for (;;) {
    p = watch ? internal::FindStringSpecial<true>(p, end, readable)
              : internal::FindStringSpecial(p, end, readable);
    if (p == end) return nullptr;
    if (*p == '"') return p;
    if (*p == '\\') {
      *escaped = true;
      p += 2;  // the escaped character can never be the closing quote
      if (p >= end) return nullptr;
    } else if (watch && static_cast<unsigned char>(*p) >= 0x80) {
      *non_ascii = true;
      watch = false;
      ++p;
    } else {
      return nullptr;  // a raw control byte: not a JSON string
    }
  }
}

}  // namespace

void ChunkTemplate::Build(std::string_view chunk, std::span<const Hole> holes, size_t value_hole) {
  text_.assign(chunk);
  holes_.assign(holes.begin(), holes.end());
  value_hole_ = value_hole;
  valid_ = value_hole < holes_.size();
  single_line_ = text_.find_first_of("\r\n") == std::string::npos;
}

bool ChunkTemplate::Match(std::string_view chunk, Arena* arena, std::string_view* value) const {
  if (!valid_) return false;
  const char* const end = chunk.data() + chunk.size();
  const char* const match_end = MatchAt<false>(chunk.data(), end, arena, value);
  return match_end != nullptr && match_end == end;  // (an empty chunk's view may be null)
}

size_t ChunkTemplate::MatchPrefix(std::string_view rest, Arena* arena,
                                  std::string_view* value) const {
  return single_line_ ? MatchRawPrefix(rest, arena, value) : 0;
}

size_t ChunkTemplate::MatchRawPrefix(std::string_view rest, Arena* arena,
                                     std::string_view* value) const {
  if (!valid_) return 0;
  const char* const match_end = MatchAt<true>(rest.data(), rest.data() + rest.size(), arena, value);
  return match_end == nullptr ? 0 : static_cast<size_t>(match_end - rest.data());
}

template <bool kRaw>
const char* ChunkTemplate::MatchAt(const char* in, const char* const in_end, Arena* arena,
                                   std::string_view* value) const {
  const char* const readable = in;
  // The members in locals: a store through `value` may alias them as far as the compiler knows,
  // which made it reload the holes and the text after each hole.
  const char* const text = text_.data();
  const Hole* const holes = holes_.data();
  const size_t hole_count = holes_.size();
  const size_t value_hole = value_hole_;
  size_t literal_begin = 0;
  for (size_t i = 0; i < hole_count; ++i) {
    const size_t literal_size = holes[i].begin - literal_begin;
    if (static_cast<size_t>(in_end - in) < literal_size ||
        !common::EqualBytes(in, text + literal_begin, literal_size)) {
      return nullptr;
    }
    in += literal_size;
    bool escaped = false;
    bool non_ascii = false;
    const char* close = FindClosingQuote<kRaw>(in, in_end, readable, &escaped, &non_ascii);
    if (!close) return nullptr;
    std::string_view body(in, close - in);
    // Raw input must be valid UTF-8, as the SSE parser makes data.
    if (kRaw && non_ascii && !sse::IsValidUtf8(body)) return nullptr;
    if (i == value_hole) {
      if (!escaped) {
        *value = body;
      } else if (!Unescape(body, arena, value)) {
        return nullptr;
      }
    } else if (escaped) {
      std::string_view ignored;
      if (!Unescape(body, arena, &ignored)) return nullptr;
    }
    in = close;
    literal_begin = holes[i].end;
  }
  // The literal after the last hole.
  const size_t literal_size = text_.size() - literal_begin;
  if (static_cast<size_t>(in_end - in) < literal_size ||
      !common::EqualBytes(in, text + literal_begin, literal_size)) {
    return nullptr;
  }
  return in + literal_size;
}

}  // namespace llmstream::json
