#include "json/arena.h"

#include <algorithm>
#include <cstring>

namespace llmstream::json {

std::string_view Arena::Copy(std::string_view text) {
  if (text.empty()) return {};
  char* out = Allocate(text.size());
  std::memcpy(out, text.data(), text.size());
  return {out, text.size()};
}

char* Arena::AllocateSlow(size_t size) {
  if (blocks_.empty()) {
    blocks_.push_back({std::make_unique<char[]>(kBlockSize), kBlockSize, 0});
    current_ = 0;
    cur_ = blocks_[0].data.get();
    end_ = cur_ + kBlockSize;
  }
  if (size <= static_cast<size_t>(end_ - cur_)) {  // exact fit (the inline path tests `<`)
    char* out = cur_;
    cur_ += size;
    return out;
  }
  if (size > kBlockSize / 4) {
    // A block of its own; the current block and its free tail stay current. Moving Block structs
    // inside the vector never moves their data, so cur_/end_ stay valid.
    blocks_.push_back({std::make_unique<char[]>(size), size, size});
    return blocks_.back().data.get();
  }
  blocks_[current_].used = static_cast<size_t>(cur_ - blocks_[current_].data.get());
  blocks_.push_back({std::make_unique<char[]>(kBlockSize), kBlockSize, 0});
  current_ = blocks_.size() - 1;
  cur_ = blocks_[current_].data.get();
  end_ = cur_ + kBlockSize;
  char* out = cur_;
  cur_ += size;
  return out;
}

size_t Arena::bytes_used() const {
  size_t total = 0;
  for (size_t i = 0; i < blocks_.size(); ++i) {
    total += i == current_ ? static_cast<size_t>(cur_ - blocks_[i].data.get()) : blocks_[i].used;
  }
  return total;
}

size_t Arena::bytes_reserved() const {
  size_t total = 0;
  for (const Block& block : blocks_) total += block.size;
  return total;
}

void Arena::Reset() {
  if (blocks_.empty()) return;
  if (blocks_.size() > 1) {
    // Several blocks were needed: keep a single first block big enough for this batch, so the
    // next batch of the same size fits without allocating.
    size_t used = bytes_used();
    size_t want = (used + kBlockSize - 1) / kBlockSize * kBlockSize;
    want = std::min(want, kMaxRetainedBytes);
    blocks_.resize(1);
    if (blocks_[0].size < want) {
      blocks_[0].data = std::make_unique<char[]>(want);
      blocks_[0].size = want;
    }
  }
  current_ = 0;
  blocks_[0].used = 0;
  cur_ = blocks_[0].data.get();
  end_ = cur_ + blocks_[0].size;
}

}  // namespace llmstream::json
