// MetadataTracker: remembers the last value sent for each metadata key so that fields repeated on
// every chunk (id, model, system_fingerprint, provider ...) become one kMetadata event when they
// first appear or change, instead of one per token. Unknown fields go through the same path, so
// nothing is dropped silently and nothing floods.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "stream/emitter.h"

namespace llmstream {

class MetadataTracker {
 public:
  // Emits kMetadata(key, value) unless `value` equals the last value emitted for `key`.
  void Update(std::string_view key, std::string_view value, MetadataFormat format, Emitter& out,
              uint32_t choice = 0) {
    for (auto& [name, last] : entries_) {
      if (name == key) {
        if (last == value) return;
        last.assign(value);
        out.EmitMetadata(key, value, format, choice);
        return;
      }
    }
    entries_.emplace_back(std::string(key), std::string(value));
    out.EmitMetadata(key, value, format, choice);
  }
  void Reset() { entries_.clear(); }

 private:
  // Few keys (under 20 in practice): a linear scan beats hashing here.
  std::vector<std::pair<std::string, std::string>> entries_;
};

}  // namespace llmstream
