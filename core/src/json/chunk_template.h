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

 private:
  std::string text_;
  std::vector<Hole> holes_;
  size_t value_hole_ = 0;
  bool valid_ = false;
};

}  // namespace llmstream::json
