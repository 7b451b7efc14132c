// FixedChunker: re-chunks text into pieces of a fixed size (the seed guide's memory-efficient
// `processLargeStream(stream, chunkSize)`: 'chunk' pieces of exactly chunkSize, then a shorter
// 'final' one).
//
// Every piece but the last has exactly `size` code points (kCodePoints), or as many whole
// characters as fit in `size` bytes (kBytes: a piece is cut before a character that would not
// fit, so it may be up to 3 bytes short; a character longer than `size` goes alone). A full piece
// is emitted as soon as it is complete; Flush emits the rest (the guide's 'final', shorter or
// empty). Never cuts a character. Split-invariant: the same pieces for any chunking.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "llmstream/transforms/text_transform.h"

namespace llmstream {

enum class ChunkUnit : uint8_t {
  kCodePoints = 0,  // Unicode code points (an invalid byte counts as one)
  kBytes = 1,       // UTF-8 bytes, never cutting a character
};

struct FixedChunkerOptions {
  size_t size = 1000;  // 0 counts as 1
  ChunkUnit unit = ChunkUnit::kCodePoints;
};

class FixedChunker final : public TextTransform {
 public:
  explicit FixedChunker(FixedChunkerOptions options = {});

  void Push(std::string_view text, int64_t now_ms, TextChunks* out) override;
  // Emits the final piece (shorter than `size`) when anything is held.
  void Flush(int64_t now_ms, TextChunks* out) override;
  size_t held_bytes() const override { return pending_.size(); }
  void Reset() override;

  uint64_t chunks() const { return chunks_; }  // pieces emitted, the final one included

 private:
  FixedChunkerOptions options_;
  std::string pending_;  // the piece being filled (plus an incomplete character)
  size_t scanned_ = 0;   // bytes of pending_ counted
  size_t units_ = 0;     // code points in pending_[0, scanned_)
  uint64_t chunks_ = 0;
};

}  // namespace llmstream
