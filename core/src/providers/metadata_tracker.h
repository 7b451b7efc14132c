// MetadataTracker: remembers the last value sent for each metadata key so that fields repeated on
// every chunk (id, model, system_fingerprint, provider ...) become one kMetadata event when they
// first appear or change, instead of one per token. Unknown fields go through the same path, so
// nothing is dropped silently and nothing floods.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/flat_index.h"
#include "stream/emitter.h"

namespace llmstream {

class MetadataTracker {
 public:
  // Emits kMetadata(key, value) unless `value` equals the last value emitted for `key`.
  void Update(std::string_view key, std::string_view value, MetadataFormat format, Emitter& out,
              uint32_t choice = 0) {
    const uint64_t hash = FlatIndex::HashString(key);
    const uint32_t at = index_.Find(hash, [&](uint32_t i) { return entries_[i].first == key; });
    if (at != FlatIndex::kNone) {
      std::string& last = entries_[at].second;
      if (last == value) return;
      last.assign(value);
    } else {
      // One key past the bound is passed on, so that the Stream sees the bound broken and ends
      // the stream (kLimitExceeded); keys after it in the same event are not even kept.
      if (const uint32_t max = out.max_metadata_keys(); max != 0 && entries_.size() > max) return;
      entries_.emplace_back(std::string(key), std::string(value));
      index_.Insert(hash, static_cast<uint32_t>(entries_.size() - 1));
    }
    out.EmitMetadata(key, value, format, choice);
  }
  void Reset() {
    entries_.clear();
    index_.Clear();
  }

 private:
  // Under 20 keys in practice, but a hostile stream may send thousands: found by hash.
  std::vector<std::pair<std::string, std::string>> entries_;
  FlatIndex index_;
};

}  // namespace llmstream
