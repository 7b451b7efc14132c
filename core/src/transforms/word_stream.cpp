#include "llmstream/transforms/word_stream.h"

#include "transforms/utf8.h"

namespace llmstream {

using namespace transforms_internal;

WordStream::WordStream(WordStreamOptions options) : options_(options) {}

void WordStream::Push(std::string_view text, int64_t now_ms, TextChunks* out) {
  pending_.append(text.data(), text.size());
  const std::string_view all = pending_;
  size_t start = 0;  // first byte not emitted yet
  size_t pos = scanned_;
  while (pos < all.size()) {
    const size_t len = Utf8UnitLength(all, pos);
    if (len == 0) break;  // an incomplete character: wait for the rest
    const uint32_t cp = Utf8Decode(all, pos, len);
    if (IsWordSpace(cp)) {
      if (in_word_) {  // the word before this space is complete
        out->Add(all.substr(start, pos - start));
        ++words_;
        start = pos;
        in_word_ = false;
      }
    } else if (options_.split_cjk && IsCjkWordChar(cp)) {
      if (in_word_) {
        out->Add(all.substr(start, pos - start));
        ++words_;
        start = pos;
        in_word_ = false;
      }
      out->Add(all.substr(start, pos + len - start));  // the character, with any space before
      ++words_;
      start = pos + len;
    } else {
      if (!in_word_) {
        in_word_ = true;
        word_chars_ = 0;
      }
      if (++word_chars_ == options_.max_word_chars) {
        out->Add(all.substr(start, pos + len - start));
        ++words_;
        start = pos + len;
        in_word_ = false;
      }
    }
    pos += len;
  }
  pending_.erase(0, start);
  scanned_ = pos - start;
}

void WordStream::Flush(int64_t now_ms, TextChunks* out) {
  if (!pending_.empty()) {
    out->Add(pending_);
    // A word, or an incomplete character (which cannot be whitespace-only text).
    if (in_word_ || scanned_ < pending_.size()) ++words_;
  }
  pending_.clear();
  scanned_ = 0;
  in_word_ = false;
  word_chars_ = 0;
}

void WordStream::Reset() {
  pending_.clear();
  scanned_ = 0;
  in_word_ = false;
  word_chars_ = 0;
  words_ = 0;
}

}  // namespace llmstream
