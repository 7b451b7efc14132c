// Batcher: groups deltas into batches, emitted when a batch is big enough or old enough (the seed
// guide's `StreamBuffer(batchSize, flushInterval)`, e.g. to update a UI or a socket at most every
// 100 ms instead of once per token).
//
// A batch opens with its first delta (at that delta's now_ms) and is emitted as one piece when
//  - it holds max_items deltas (the guide's batchSize counts chunks), or
//  - it holds max_bytes bytes or more (deltas are never cut, so a batch may exceed max_bytes by
//    less than one delta), or
//  - max_interval_ms passed since it opened: WakeAtMs() is that deadline; Tick (or the next Push,
//    which first emits an overdue batch on its own) emits it;
// and Flush emits whatever is open. A limit of 0 is off. With all three off, only Flush emits.
//
// TextChunks::items(i) is the number of deltas in batch i (the guide's `batch.items.length`), so
// a caller holding the original chunks can slice them; an empty delta counts as an item (the
// guide batches chunks without text too). A batch that would end inside a UTF-8 character keeps
// the character's first bytes for the next batch.
//
// Not split-invariant by design (batches follow the deltas); their concatenation is.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "llmstream/transforms/text_transform.h"

namespace llmstream {

struct BatcherOptions {
  size_t max_items = 10;          // the guide's default batchSize
  size_t max_bytes = 0;           // 0: no byte limit
  int64_t max_interval_ms = 100;  // the guide's default flushInterval; 0: no deadline
};

class Batcher final : public TextTransform {
 public:
  explicit Batcher(BatcherOptions options = {});

  void Push(std::string_view text, int64_t now_ms, TextChunks* out) override;
  void Tick(int64_t now_ms, TextChunks* out) override;
  void Flush(int64_t now_ms, TextChunks* out) override;
  // The open batch's deadline; -1 when no batch is open or there is no interval.
  int64_t WakeAtMs() const override;
  size_t held_bytes() const override { return buffer_.size(); }
  void Reset() override;

  uint64_t batches() const { return batches_; }
  size_t open_items() const { return items_; }  // deltas in the open batch

 private:
  void Emit(bool whole, TextChunks* out);
  bool open() const { return items_ > 0 || !buffer_.empty(); }

  BatcherOptions options_;
  std::string buffer_;
  size_t items_ = 0;
  int64_t opened_ms_ = 0;
  int64_t last_now_ = INT64_MIN;
  uint64_t batches_ = 0;
};

}  // namespace llmstream
