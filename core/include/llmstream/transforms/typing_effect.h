// TypingEffect: releases text at a fixed rate of N characters per second (the seed guide's
// `addTypingEffect(stream, charsPerSecond)`), sans-I/O: instead of sleeping it says when the
// next character is due (WakeAtMs) and releases what is due whenever it is called.
//
// Timing. Characters (code points; a character split across deltas is never cut) are released
// one every 1000 / chars_per_second ms, measured from an anchor so that rounding never drifts:
// the k-th character after the anchor is due at anchor + ceil(k * 1000 / cps). When the queue
// ran dry and the next character arrives after its slot has passed, it is released at once and
// becomes the new anchor (no burst to "catch up" on time spent waiting for text). Flush releases
// everything held, at once. A caller that ticks late gets everything that is due by then.
//
// Pieces: one per character by default (the guide yields `{ text: char }`), or one per call.
// The pieces and their concatenation do not depend on the input's chunking.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "llmstream/transforms/text_transform.h"

namespace llmstream {

struct TypingEffectOptions {
  double chars_per_second = 30;  // <= 0 (or not finite): no delay, everything passes at once
  bool piece_per_char = true;    // false: what one call releases is a single piece
};

class TypingEffect final : public TextTransform {
 public:
  explicit TypingEffect(TypingEffectOptions options = {});
  explicit TypingEffect(double chars_per_second)
      : TypingEffect(TypingEffectOptions{.chars_per_second = chars_per_second}) {}

  void Push(std::string_view text, int64_t now_ms, TextChunks* out) override;
  void Tick(int64_t now_ms, TextChunks* out) override;
  void Flush(int64_t now_ms, TextChunks* out) override;
  // When the next held character is due; -1 when none is held (an incomplete character alone
  // waits for its bytes, not for time).
  int64_t WakeAtMs() const override;
  size_t held_bytes() const override { return queue_.size() - head_; }
  void Reset() override;

  uint64_t released_chars() const { return released_; }

 private:
  int64_t DueMs(uint64_t k) const;
  bool HasReadyChar() const;
  void Release(int64_t now_ms, TextChunks* out);

  TypingEffectOptions options_;
  bool unlimited_ = false;
  std::string queue_;  // held bytes from head_
  size_t head_ = 0;
  int64_t last_now_ = INT64_MIN;
  int64_t anchor_ms_ = 0;
  uint64_t since_anchor_ = 0;  // characters released since the anchor
  bool anchored_ = false;
  uint64_t released_ = 0;
};

}  // namespace llmstream
