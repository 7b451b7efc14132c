#include "common/flat_index.h"

#include <utility>

namespace llmstream {

uint64_t FlatIndex::HashString(std::string_view key) {
  // FNV-1a, then mixed so that the high bits (the tag) depend on every byte.
  uint64_t hash = 0xcbf29ce484222325ull;
  for (unsigned char c : key) hash = (hash ^ c) * 0x100000001b3ull;
  return HashInt(hash);
}

void FlatIndex::Insert(uint64_t hash, uint32_t position) {
  if ((used_ + 1) * 2 > slots_.size()) Grow();
  const uint32_t tag = Tag(hash);
  size_t i = tag & mask_;
  while (slots_[i].position != 0) i = (i + 1) & mask_;
  slots_[i] = {tag, position + 1};
  ++used_;
}

void FlatIndex::Erase(uint64_t hash, uint32_t position) {
  if (slots_.empty()) return;
  const uint32_t tag = Tag(hash);
  size_t i = tag & mask_;
  while (slots_[i].position != 0 && !(slots_[i].tag == tag && slots_[i].position == position + 1)) {
    i = (i + 1) & mask_;
  }
  if (slots_[i].position == 0) return;
  // Backward shift: move later entries of the probe run into the hole when their home bucket
  // allows, so that every entry stays reachable without tombstones.
  size_t hole = i;
  for (size_t j = (hole + 1) & mask_; slots_[j].position != 0; j = (j + 1) & mask_) {
    const size_t home = slots_[j].tag & mask_;
    // j's entry may move to `hole` unless its home lies cyclically in (hole, j].
    const bool home_after_hole =
        hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
    if (!home_after_hole) {
      slots_[hole] = slots_[j];
      hole = j;
    }
  }
  slots_[hole] = Slot{};
  --used_;
}

void FlatIndex::Clear() {
  slots_.clear();
  mask_ = 0;
  used_ = 0;
}

void FlatIndex::Grow() {
  std::vector<Slot> old = std::move(slots_);
  const size_t capacity = old.empty() ? 16 : old.size() * 2;
  slots_.assign(capacity, Slot{});
  mask_ = capacity - 1;
  for (const Slot& slot : old) {
    if (slot.position == 0) continue;
    size_t i = slot.tag & mask_;
    while (slots_[i].position != 0) i = (i + 1) & mask_;
    slots_[i] = slot;
  }
}

}  // namespace llmstream
