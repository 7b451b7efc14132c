// ChunkTemplate: the hot-path shortcut for streams whose chunks repeat one shape.
//
// Provider chunks are nearly identical from token to token: an OpenAI chunk differs from the
// previous one only in `delta.content` and the `obfuscation` padding; an Anthropic delta only in
// `delta.text`. After a chunk has been fully parsed and validated, the dialect may keep it as a
// template with "holes": the byte ranges of string values that may vary. A later chunk that is
// byte-identical outside the holes, and whose holes hold valid JSON string bodies, is valid JSON
// with the same keys and the same values everywhere else, so the full parse would do exactly
// what it did for the template except for the hole values. Match checks that with memcmp and a
// string scan, which is an order of magnitude cheaper than walking the whole document.
//
// Equality with the full parse is proved by tests that run every fixture and the benchmark
// streams with the shortcut on and off, and by a differential fuzz target.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "json/arena.h"

namespace llmstream::json {

class ChunkTemplate {
 public:
  // A string value's body (between its quotes) as byte offsets into the chunk.
  struct Hole {
    size_t begin = 0;
    size_t end = 0;
  };

  // Keeps `chunk` as the template. `holes` are sorted, non-overlapping string bodies; the one at
  // `value_hole` is returned by Match, the others must only be valid strings (ignored values).
  void Build(std::string_view chunk, std::span<const Hole> holes, size_t value_hole);
  void Clear() { valid_ = false; }
  bool valid() const { return valid_; }

  // True when `chunk` matches the template; then *value is the unescaped body of the value hole
  // (a view into `chunk`, or into `arena` when it had escapes).
  bool Match(std::string_view chunk, Arena* arena, std::string_view* value) const;

  // The same test on raw SSE input, where the chunk's end is not known yet: `rest` starts with
  // a chunk and goes on to the end of the read. Returns the length of the match at its start (0:
  // none), so the caller can check what follows. Only a single-line template matches here, and
  // only hole bodies that are valid UTF-8: the matched bytes then hold no CR or LF and are
  // valid UTF-8, exactly what the SSE parser would have handed over as the event's data.
  size_t MatchPrefix(std::string_view rest, Arena* arena, std::string_view* value) const;
  // The same for a framing whose payloads may span lines (a JSON array's elements): any template,
  // hole bodies valid UTF-8.
  size_t MatchRawPrefix(std::string_view rest, Arena* arena, std::string_view* value) const;

 private:
  // Matches from `in` on; returns where the match ends, or nullptr. kRaw: MatchPrefix's checks.
  template <bool kRaw>
  const char* MatchAt(const char* in, const char* in_end, Arena* arena,
                      std::string_view* value) const;

  std::string text_;
  std::vector<Hole> holes_;
  size_t value_hole_ = 0;
  bool valid_ = false;
  bool single_line_ = false;  // text_ holds no CR or LF
};

}  // namespace llmstream::json
