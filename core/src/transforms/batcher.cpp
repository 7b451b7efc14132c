#include "llmstream/transforms/batcher.h"

#include <algorithm>

#include "transforms/utf8.h"

namespace llmstream {

using namespace transforms_internal;

Batcher::Batcher(BatcherOptions options) : options_(options) {
  if (options_.max_interval_ms < 0) options_.max_interval_ms = 0;
}

void Batcher::Push(std::string_view text, int64_t now_ms, TextChunks* out) {
  now_ms = std::max(now_ms, last_now_);
  last_now_ = now_ms;
  Tick(now_ms, out);  // an overdue batch goes out before this delta joins a new one
  if (!open()) opened_ms_ = now_ms;
  buffer_.append(text.data(), text.size());
  ++items_;
  if ((options_.max_items > 0 && items_ >= options_.max_items) ||
      (options_.max_bytes > 0 && buffer_.size() >= options_.max_bytes)) {
    Emit(false, out);
    if (open()) opened_ms_ = now_ms;  // the carried character opens the next batch
  }
}

void Batcher::Tick(int64_t now_ms, TextChunks* out) {
  now_ms = std::max(now_ms, last_now_);
  last_now_ = now_ms;
  const int64_t wake = WakeAtMs();
  if (wake >= 0 && now_ms >= wake) {
    Emit(false, out);
    if (open()) opened_ms_ = now_ms;
  }
}

void Batcher::Flush(int64_t now_ms, TextChunks* out) {
  if (open()) Emit(true, out);
}

int64_t Batcher::WakeAtMs() const {
  if (!open() || options_.max_interval_ms == 0) return -1;
  return opened_ms_ + options_.max_interval_ms;
}

void Batcher::Emit(bool whole, TextChunks* out) {
  const size_t cut = whole ? buffer_.size() : Utf8CompletePrefix(buffer_);
  if (cut == 0 && items_ == 0) return;  // only part of a character, carried already
  out->Add(std::string_view(buffer_).substr(0, cut), static_cast<uint32_t>(items_));
  ++batches_;
  buffer_.erase(0, cut);
  items_ = 0;
}

void Batcher::Reset() {
  buffer_.clear();
  items_ = 0;
  opened_ms_ = 0;
  last_now_ = INT64_MIN;
  batches_ = 0;
}

}  // namespace llmstream
