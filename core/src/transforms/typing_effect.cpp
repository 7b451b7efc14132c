#include "llmstream/transforms/typing_effect.h"

#include <algorithm>
#include <cmath>

#include "transforms/utf8.h"

namespace llmstream {

using namespace transforms_internal;

TypingEffect::TypingEffect(TypingEffectOptions options) : options_(options) {
  unlimited_ = !(options_.chars_per_second > 0) || !std::isfinite(options_.chars_per_second);
}

int64_t TypingEffect::DueMs(uint64_t k) const {
  return anchor_ms_ + static_cast<int64_t>(std::ceil(
                          static_cast<double>(k) * 1000.0 / options_.chars_per_second - 1e-9));
}

bool TypingEffect::HasReadyChar() const {
  return head_ < queue_.size() && Utf8UnitLength(queue_, head_) != 0;
}

void TypingEffect::Push(std::string_view text, int64_t now_ms, TextChunks* out) {
  now_ms = std::max(now_ms, last_now_);
  last_now_ = now_ms;
  Release(now_ms, out);
  const bool had_ready = HasReadyChar();
  queue_.append(text.data(), text.size());
  if (!had_ready && HasReadyChar() && (!anchored_ || now_ms >= DueMs(since_anchor_))) {
    anchor_ms_ = now_ms;  // idle until now: start a new schedule
    since_anchor_ = 0;
    anchored_ = true;
  }
  Release(now_ms, out);
}

void TypingEffect::Tick(int64_t now_ms, TextChunks* out) {
  now_ms = std::max(now_ms, last_now_);
  last_now_ = now_ms;
  Release(now_ms, out);
}

void TypingEffect::Release(int64_t now_ms, TextChunks* out) {
  const std::string_view all = queue_;
  const size_t first = head_;
  while (head_ < all.size()) {
    const size_t len = Utf8UnitLength(all, head_);
    if (len == 0) break;
    if (!unlimited_ && DueMs(since_anchor_) > now_ms) break;
    if (options_.piece_per_char) out->Add(all.substr(head_, len));
    head_ += len;
    ++since_anchor_;
    ++released_;
  }
  if (!options_.piece_per_char && head_ > first) out->Add(all.substr(first, head_ - first));
  if (head_ == queue_.size()) {
    queue_.clear();
    head_ = 0;
  } else if (head_ > 4096 && head_ * 2 > queue_.size()) {
    queue_.erase(0, head_);
    head_ = 0;
  }
}

void TypingEffect::Flush(int64_t now_ms, TextChunks* out) {
  now_ms = std::max(now_ms, last_now_);
  last_now_ = now_ms;
  const std::string_view all = queue_;
  const size_t first = head_;
  while (head_ < all.size()) {
    size_t len = Utf8UnitLength(all, head_);
    if (len == 0) len = all.size() - head_;  // an incomplete character: as it is
    if (options_.piece_per_char) out->Add(all.substr(head_, len));
    head_ += len;
    ++since_anchor_;
    ++released_;
  }
  if (!options_.piece_per_char && head_ > first) out->Add(all.substr(first, head_ - first));
  queue_.clear();
  head_ = 0;
}

int64_t TypingEffect::WakeAtMs() const {
  if (unlimited_ || !HasReadyChar()) return -1;
  return DueMs(since_anchor_);
}

void TypingEffect::Reset() {
  queue_.clear();
  head_ = 0;
  last_now_ = INT64_MIN;
  anchor_ms_ = 0;
  since_anchor_ = 0;
  anchored_ = false;
  released_ = 0;
}

}  // namespace llmstream
