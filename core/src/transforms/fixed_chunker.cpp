#include "llmstream/transforms/fixed_chunker.h"

#include "transforms/utf8.h"

namespace llmstream {

using namespace transforms_internal;

FixedChunker::FixedChunker(FixedChunkerOptions options) : options_(options) {
  if (options_.size == 0) options_.size = 1;
}

void FixedChunker::Push(std::string_view text, int64_t now_ms, TextChunks* out) {
  pending_.append(text.data(), text.size());
  const std::string_view all = pending_;
  const size_t size = options_.size;
  size_t start = 0;
  size_t pos = scanned_;
  while (pos < all.size()) {
    const size_t len = Utf8UnitLength(all, pos);
    if (len == 0) break;
    if (options_.unit == ChunkUnit::kBytes) {
      // Cut before a character that would overflow the piece.
      if (pos > start && pos + len - start > size) {
        out->Add(all.substr(start, pos - start));
        ++chunks_;
        start = pos;
      }
      pos += len;
      if (pos - start >= size) {
        out->Add(all.substr(start, pos - start));
        ++chunks_;
        start = pos;
      }
    } else {
      pos += len;
      if (++units_ == size) {
        out->Add(all.substr(start, pos - start));
        ++chunks_;
        start = pos;
        units_ = 0;
      }
    }
  }
  pending_.erase(0, start);
  scanned_ = pos - start;
}

void FixedChunker::Flush(int64_t now_ms, TextChunks* out) {
  if (!pending_.empty()) {
    out->Add(pending_);
    ++chunks_;
  }
  pending_.clear();
  scanned_ = 0;
  units_ = 0;
}

void FixedChunker::Reset() {
  pending_.clear();
  scanned_ = 0;
  units_ = 0;
  chunks_ = 0;
}

}  // namespace llmstream
