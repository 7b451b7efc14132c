// WordStream: re-chunks text into whole words (the seed guide's "yield complete words").
//
// A piece is a word with the whitespace before it: "Hello", " world", "\n\nNext". A word is
// emitted as soon as it is known to be complete, i.e. when whitespace (or, with split_cjk, a CJK
// character) follows it; the whitespace after the last word waits for the next word, and Flush
// emits what is held (the last word, trailing whitespace). Compared with the guide's
// `words[i] + ' '`, the whitespace goes with the following word rather than the previous one: a
// word shows up at the same moment, and the pieces do not depend on how the text was chunked.
//
// Whitespace is Unicode White_Space except the non-breaking spaces (U+00A0, U+2007, U+202F).
// UTF-8 safe: a character split across deltas is never cut. Split-invariant: the same pieces
// for any chunking of the same text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "llmstream/transforms/text_transform.h"

namespace llmstream {

struct WordStreamOptions {
  // Scripts written without spaces (CJK ideographs, kana, CJK punctuation, fullwidth forms):
  // each such character is a word of its own, emitted as soon as it arrives. Off: they are
  // ordinary word characters (a Chinese paragraph is then one word).
  bool split_cjk = true;
  // A word reaching this many code points is emitted at that point and the rest continues as a
  // new word (very long tokens: URLs, base64). 0 = never cut.
  size_t max_word_chars = 0;
};

class WordStream final : public TextTransform {
 public:
  explicit WordStream(WordStreamOptions options = {});

  void Push(std::string_view text, int64_t now_ms, TextChunks* out) override;
  void Flush(int64_t now_ms, TextChunks* out) override;
  size_t held_bytes() const override { return pending_.size(); }
  void Reset() override;

  // Pieces emitted that contain a word (the guide's wordNumber of the last one; its totalWords
  // after Flush). A piece of trailing whitespace alone does not count.
  uint64_t words() const { return words_; }

 private:
  WordStreamOptions options_;
  std::string pending_;    // not emitted yet: [whitespace][word][incomplete character]
  size_t scanned_ = 0;     // bytes of pending_ already classified
  bool in_word_ = false;   // pending_ has word characters (after its leading whitespace)
  size_t word_chars_ = 0;  // code points of that word so far
  uint64_t words_ = 0;
};

}  // namespace llmstream
