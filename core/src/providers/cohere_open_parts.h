// OpenParts: the content blocks or tool calls of a Cohere stream that are open, found by their
// `index` through a hash (a hostile stream may keep thousands open; a scan per event would cost
// time quadratic in the stream). Closed slots are reused, so their strings keep their capacity.
// `Part` has `uint32_t index, slot` and `bool open`.
#pragma once

#include <cstdint>
#include <vector>

#include "common/flat_index.h"

namespace llmstream::cohere {

template <typename Part>
class OpenParts {
 public:
  Part* Find(uint32_t index) {
    if (last_ < parts_.size()) {  // the usual case: events for the newest part
      Part& last = parts_[last_];
      if (last.open && last.index == index) return &last;
    }
    const uint32_t at = index_.Find(FlatIndex::HashInt(index), [&](uint32_t i) {
      return parts_[i].open && parts_[i].index == index;
    });
    return at == FlatIndex::kNone ? nullptr : &parts_[at];
  }

  // A part for `index`, which must not be open (Close the stale one first). Its other fields
  // keep the values of the slot's previous part: the caller resets them.
  Part& Open(uint32_t index) {
    Part* part = nullptr;
    if (!free_.empty()) {
      part = &parts_[free_.back()];
      free_.pop_back();
    } else {
      part = &parts_.emplace_back();
      part->slot = static_cast<uint32_t>(parts_.size() - 1);
    }
    index_.Insert(FlatIndex::HashInt(index), part->slot);
    last_ = part->slot;
    part->index = index;
    part->open = true;
    return *part;
  }

  void Close(Part& part) {
    part.open = false;
    index_.Erase(FlatIndex::HashInt(part.index), part.slot);
    free_.push_back(part.slot);
  }

  // The open parts, in slot order.
  template <typename Visit>
  void ForEachOpen(Visit&& visit) {
    for (Part& part : parts_) {
      if (part.open) visit(part);
    }
  }

 private:
  std::vector<Part> parts_;
  FlatIndex index_;
  std::vector<uint32_t> free_;
  size_t last_ = SIZE_MAX;
};

}  // namespace llmstream::cohere
