// FlatIndex: finds an element of a caller-owned vector by key in expected O(1).
//
// Per-stream state (choices, tool calls, content blocks, output items, metadata keys) is one to a
// few elements in every real stream, but a hostile one can make it tens of thousands, and a
// linear scan per event then costs time quadratic in the stream (issue 13). The index stores no
// keys: it maps a key's hash to positions in the caller's vector and asks the caller whether the
// element there has the key, so one small class serves integer and string keys alike.
//
//   uint32_t at = index.Find(hash, [&](uint32_t i) { return items[i].key == key; });
//   if (at == FlatIndex::kNone) { items.push_back(...); index.Insert(hash, items.size() - 1); }
//
// Open addressing with linear probing and backward-shift deletion: no tombstones, so a stream
// that opens and closes elements forever keeps probe lengths short.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace llmstream {

class FlatIndex {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  // The position of the element whose hash is `hash` and for which `matches(position)` is true,
  // kNone if there is none.
  template <typename Matches>
  uint32_t Find(uint64_t hash, Matches&& matches) const {
    if (slots_.empty()) return kNone;
    const uint32_t tag = Tag(hash);
    for (size_t i = tag & mask_;; i = (i + 1) & mask_) {
      const Slot& slot = slots_[i];
      if (slot.position == 0) return kNone;
      if (slot.tag == tag && matches(slot.position - 1)) return slot.position - 1;
    }
  }

  // Records that the caller's element at `position` has a key hashing to `hash`. Keys are
  // unique: the caller erases an element's entry before another element takes its key.
  void Insert(uint64_t hash, uint32_t position);

  // Forgets the entry of `position` (inserted with `hash`); nothing if there is none.
  void Erase(uint64_t hash, uint32_t position);

  void Clear();
  size_t size() const { return used_; }

  // Hashes for keys: integers (choice and block indexes, pairs of them) and strings.
  static uint64_t HashInt(uint64_t key) {
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdull;
    key ^= key >> 33;
    return key;
  }
  static uint64_t HashString(std::string_view key);

 private:
  struct Slot {
    uint32_t tag = 0;       // high bits of the hash, also the home bucket
    uint32_t position = 0;  // the caller's position + 1; 0: empty
  };
  static uint32_t Tag(uint64_t hash) { return static_cast<uint32_t>(hash >> 32); }
  void Grow();

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t used_ = 0;
};

}  // namespace llmstream
